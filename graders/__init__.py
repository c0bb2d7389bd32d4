"""tapegrade: the grading harness of the gradient-tape lab."""
