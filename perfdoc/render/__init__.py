"""Producing the Word documents: templates in, reproducible .docx (and PDF) out.

* :mod:`.engine` renders a docxtpl template with a context;
* :mod:`.markdown` turns narrative Markdown into WordprocessingML paragraphs;
* :mod:`.package` makes the .docx bytes reproducible;
* :mod:`.extract` reads a .docx back as plain text (tests, ``perfdoc textconv``);
* :mod:`.pdf` converts a batch of .docx files with LibreOffice.

Nothing is imported here so that reading text from a .docx does not load the
template machinery.
"""
