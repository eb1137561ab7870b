from __future__ import annotations

import io

import segno


class SegnoQrRenderer:
    """QR codes as a PNG data URI and as SVG markup, with error correction level M."""

    def png_data_uri(self, text: str) -> str:
        return str(segno.make_qr(text, error="m").png_data_uri(scale=6, border=4))

    def svg(self, text: str) -> str:
        buffer = io.BytesIO()
        segno.make_qr(text, error="m").save(buffer, kind="svg", scale=6, border=4, xmldecl=False)
        return buffer.getvalue().decode()
