"""Operations: the command line, worker processes, maintenance, backup and restore."""
