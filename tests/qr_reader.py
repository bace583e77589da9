"""Reading a driver sheet's QR code back as a phone would: page 1 rendered, the code decoded.

Needs poppler's ``pdftoppm`` (installed by ``make test``) and the ``zxing-cpp`` decoder (the
``test`` extra); a test that needs them is skipped, saying which is missing, where they are absent.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from routing.screenshots import find_pdftoppm


def read_qr_codes(pdf: Path, work: Path) -> list[str]:
    """The text of every QR code on the first page of ``pdf`` (rendered at 150 dpi)."""
    exe = find_pdftoppm()
    if exe is None:
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils): QR not read")
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (the test extra) reads the QR")
    from PIL import Image

    stem = work / f"qr-{pdf.stem}"
    subprocess.run(
        [exe, "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(stem)], check=True
    )
    [png] = sorted(work.glob(f"{stem.name}*.png"))
    with Image.open(png) as image:
        found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in found]
