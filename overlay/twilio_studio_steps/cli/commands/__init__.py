"""One module per `studio-steps` command (see app.py for what each defines and how one is
added). `python -m twilio_studio_steps.cli.commands` runs the command line."""
