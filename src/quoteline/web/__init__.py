"""The web UI and JSON API: server-rendered pages over a store, each with a .json twin."""

from quoteline.web.app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
