//! NetworkChart and NetworkFrames through the public API.

use hw6_viz::{NetworkChart, NetworkFrames};

type Network = (Vec<(f64, f64)>, Vec<(usize, usize)>);

fn square() -> Network {
    (
        vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)],
        vec![(0, 1), (1, 2), (2, 3), (3, 0)],
    )
}

#[test]
fn draws_one_circle_per_node_and_the_labels() {
    let (p, e) = square();
    let svg = NetworkChart::new("sq", p, e)
        .classes(vec![0, 1, 0, 1])
        .labels(true)
        .render()
        .unwrap();
    // Each node is a filled disc plus an outline.
    assert_eq!(svg.as_str().matches("<circle").count(), 8);
    // One text per node label, plus the title.
    assert_eq!(svg.as_str().matches("<text").count(), 5);
}

#[test]
fn rejects_bad_input() {
    let (p, _) = square();
    assert!(
        NetworkChart::new("x", p.clone(), vec![(0, 4)])
            .render()
            .is_err()
    );
    assert!(
        NetworkChart::new("x", p, vec![])
            .classes(vec![0])
            .render()
            .is_err()
    );
    assert!(NetworkChart::new("x", vec![], vec![]).render().is_err());
    assert!(
        NetworkChart::new("x", vec![(f64::NAN, 0.0)], vec![])
            .render()
            .is_err()
    );
}

#[test]
fn rejects_bad_frames() {
    let (p, _) = square();
    assert!(NetworkFrames::new("x", vec![]).render_grid().is_err());
    let frames = NetworkFrames::new("x", vec![])
        .frame("a", p)
        .frame("b", vec![(0.0, 0.0)]);
    assert!(frames.render_grid().is_err());
}

#[test]
fn grid_and_animation() {
    let (p, e) = square();
    let moved: Vec<(f64, f64)> = p.iter().map(|&(x, y)| (x * 2.0, y - 1.0)).collect();
    let frames = NetworkFrames::new("moves", e)
        .classes(vec![0, 0, 1, 1])
        .frame("epoch 0", p)
        .frame("epoch 10", moved)
        .columns(2);
    let grid = frames.render_grid().unwrap();
    assert!(grid.as_str().contains("epoch 10"));
    let anim = frames.render_animation(0.5).unwrap();
    // 4 nodes x (cx, cy) + 4 edges x 4 ends + 2 captions.
    assert_eq!(anim.as_str().matches("<animate").count(), 8 + 16 + 2);
    assert!(anim.as_str().contains(r#"dur="1s""#));
    // Without animation (print) the last frame shows: its caption and
    // its positions are the attributes' own values.
    assert!(
        anim.as_str().contains(r#"opacity="1">epoch 10<"#),
        "{}",
        anim.as_str()
    );
    assert!(anim.as_str().contains(r#"opacity="0">epoch 0<"#));
    // Node 1 moves from (1, 0) to (2, -1).
    let circles: Vec<&str> = anim.as_str().split("<circle").skip(1).collect();
    let circle = circles[1];
    let attr = |from: &str, name: &str| -> String {
        let start = from.find(name).unwrap() + name.len();
        from[start..].split('"').next().unwrap().to_string()
    };
    let cx = attr(circle, "cx=\"");
    let values = attr(circle, "values=\"");
    let values: Vec<&str> = values.split(';').collect();
    assert_eq!(values.len(), 3, "two frames and the loop back");
    assert_ne!(values[0], values[1], "the node moves");
    assert_eq!(cx, values[1], "the static position is the last frame's");
    frames.render_animation(0.0).unwrap_err();
}
