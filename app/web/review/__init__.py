"""The review queue: contributors' proposals, and the editors who approve or refuse them.

The blueprint lives in app.web.review.views; this package imports nothing, so the editor's
routes can store proposals (app.web.review.proposals) without an import cycle.
"""
