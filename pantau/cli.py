"""Entry point for the `pantau` command."""
import typer

app = typer.Typer(help="Pantau Netral: ASN political-neutrality monitoring.", no_args_is_help=True)


def main() -> None:
    app()
