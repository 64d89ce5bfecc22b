"""Uploads that stop at their size limit, instead of being refused once fully received.

``limit_uploads(request, limit)`` puts a handler in front of Django's own (it must run before
anything reads ``request.POST`` or ``request.FILES``): the first file to pass ``limit`` bytes
stops the reading of the request there, the parts already kept are closed (a temporary file is
deleted with it), and ``too_large(request)`` names the file for the form's error.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitHandler(FileUploadHandler):
    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_large = self.file_name
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the handlers after this one keep the file


def limit_uploads(request, limit: int) -> None:
    request.upload_handlers.insert(0, SizeLimitHandler(request, limit))


def too_large(request) -> str | None:
    """The name of the file that passed the limit, if one did."""
    return getattr(request, "upload_too_large", None)
