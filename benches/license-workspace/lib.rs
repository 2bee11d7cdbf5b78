// Empty: the bench workspace exists only for its dependency graph.
