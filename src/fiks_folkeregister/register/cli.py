"""Commands of the embedded register."""

import typer

register_app = typer.Typer(no_args_is_help=True, help="The embedded national population register.")
