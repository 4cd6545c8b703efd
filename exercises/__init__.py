"""The students' stubs: fill in each function; ``grade exNN`` grades it."""
