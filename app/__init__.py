"""Python that runs in the browser (main.py on the UI thread, engine.py in the worker), and the
chart specs (charts.py) authored with Altair at build time."""
