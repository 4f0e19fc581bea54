# Sourced by test-wine.sh: the client's tests and the CLI under Node for Windows.
run_node_tests() {
  record node SKIP "not written yet"
}
