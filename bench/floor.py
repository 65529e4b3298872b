"""The framework floor: a bare Flask route rendering a small Jinja2 template.

Served by the same gunicorn configuration as Assistance, it is what every view's
throughput is measured against (``bench/run.py``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template

app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))


@app.get("/")
def index():
    rows = [{"number": n, "subject": f"Ticket {n}", "status": "Libre"} for n in range(1, 21)]
    return render_template("floor.html", title="Tableau de bord", rows=rows)
