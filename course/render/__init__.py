"""Documents out: Markdown, HTML, CSV and charts for journal exports, handouts and group reports."""
