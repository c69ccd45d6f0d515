"""Files that survive anything: atomic writes under one lock, bounded reads, backups, one writer per data folder."""
