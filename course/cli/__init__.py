"""The command line: `tillit` and its subcommands, each a thin call into the wings below."""
