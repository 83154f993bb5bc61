"""Producing the Word documents: templates in, reproducible .docx (and PDF) out.

* :mod:`.templates` renders a template file with a context, its problems located;
* :mod:`.engine` renders a docxtpl template with a context (the template compiled once per process);
* :mod:`.sandbox` is the one Jinja sandbox, with its bounds, for templates and narrative references;
* :mod:`.problems` holds template problems as records and words them;
* :mod:`.diagnose` says where a tag or a name is in a template, as Word shows it;
* :mod:`.markdown` turns narrative Markdown into WordprocessingML paragraphs;
* :mod:`.package` makes the .docx bytes reproducible;
* :mod:`.extract` reads a .docx back as plain text (tests, ``perfdoc textconv``);
* :mod:`.pdf` converts a batch of .docx files with LibreOffice.

Nothing is imported here so that reading text from a .docx does not load the
template machinery.
"""
