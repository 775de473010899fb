//! TreeChart's checks of its input.

use hw6_viz::TreeChart;

#[test]
fn parents_and_paths_are_checked() {
    assert!(TreeChart::new("t").render().is_err());
    let two_roots = TreeChart::new("t").node(None, "a", "").node(None, "b", "");
    assert!(two_roots.render().unwrap_err().to_string().contains("root"));
    let bad_path = TreeChart::new("t")
        .node(None, "a", "")
        .node(Some(0), "b", "")
        .node(Some(0), "c", "")
        .path("p", vec![1, 2], (0, 0, 0));
    assert!(
        bad_path
            .render()
            .unwrap_err()
            .to_string()
            .contains("not its child")
    );
}
