"""One output of a Jupyter cell, updated in place: the first frame is a display_data
message with a display_id, every later one an update_display_data for that id. Progress
displays and .draw's live figures are both such an output.

The class takes `send(msg_type, content)`, which sends one IOPub message for the cell, so it
works alike in the kernel and under the IPython magic.
"""
import uuid


class InPlaceOutput:
    __slots__ = ("send", "display_id")

    def __init__(self, send):
        self.send = send
        self.display_id = None

    def put(self, data):
        """Show the mime bundle data: as the output's first frame, or in place of the last."""
        first = self.display_id is None
        if first:
            self.display_id = uuid.uuid4().hex
        self.send("display_data" if first else "update_display_data",
                  {"data": data, "metadata": {}, "transient": {"display_id": self.display_id}})


__all__ = ["InPlaceOutput"]
