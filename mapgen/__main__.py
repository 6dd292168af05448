"""``python -m mapgen`` runs the command-line interface."""

from mapgen.cli import main

if __name__ == "__main__":
    main()
