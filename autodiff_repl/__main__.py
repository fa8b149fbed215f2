"""``python -m autodiff_repl`` runs the same CLI as the ``autodiff`` command."""

from autodiff_repl.cli import main

if __name__ == "__main__":
    main()
