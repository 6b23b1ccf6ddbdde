import re

import pytest

from thukkhon.core.pdf import local_fetcher, pdf_document, render_pdf


def test_fetcher_reads_only_local_static_files():
    with pytest.raises(ValueError, match="only local static files"):
        local_fetcher().fetch("https://fonts.example.com/x.woff2")
    with pytest.raises(ValueError, match="outside the static directory"):
        local_fetcher().fetch("file:///etc/passwd")


def test_thai_text_and_digits_take_their_own_sarabun_subsets():
    context = {"text": "วันที่ 5 มี.ค. 2568 เวลา 10:30 น."}
    assert render_pdf("core/pdf/sample.html", context).startswith(b"%PDF-")
    pdf = pdf_document("core/pdf/sample.html", context).write_pdf(uncompressed_pdf=True)
    fonts = {name.split(b"+")[1] for name in re.findall(rb"/BaseFont /([A-Z]{6}\+[A-Za-z-]+)", pdf)}
    # Thai letters from the Thai subset, digits and punctuation from the Latin one, in both weights.
    assert fonts == {b"SarabunThai", b"SarabunThai-Bold", b"SarabunLatin", b"SarabunLatin-Bold"}
