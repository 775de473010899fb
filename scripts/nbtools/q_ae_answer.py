"""A student's answer to the student q_ae notebook's section 1.3
architecture TODO. The "your bottleneck" cell trains with that
architecture (while it is a todo!() the cell only says so), so the browser
test and the latency benchmark write this answer in before they run it."""

ARCHITECTURE_TODO = "    // TODO: the hidden sizes (ending in k) and the activation\n    todo!()"
ARCHITECTURE_ANSWER = "    (vec![k], Activation::Identity)"
# Finds the cell that holds the TODO.
ARCHITECTURE_NEEDLE = "fn architecture_1_3("


def with_architecture_written(source):
    """`source` of the architecture cell with the answer in place of the
    TODO; ValueError if the cell has no such TODO (the notebook changed)."""
    if ARCHITECTURE_TODO not in source:
        raise ValueError("the student q_ae notebook has no todo!() for section 1.3's architecture "
                         f"(update {__file__})")
    return source.replace(ARCHITECTURE_TODO, ARCHITECTURE_ANSWER)
