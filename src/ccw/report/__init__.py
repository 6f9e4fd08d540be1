"""The daily HTML report: one static, offline page of charts written from the serving file.

    from ccw.report import write_report
    path = write_report(serving, out_dir, data_docs)    # -> out_dir / "index.html"

``queries`` reads the marts, ``charts`` draws them (matplotlib -> inline SVG), ``sections`` puts one section
together, ``template`` lays out the page, ``labels`` holds every English and Chinese label.
"""

from ccw.report.core import write_report

__all__ = ["write_report"]
