"""Build: batches of sources to documents under build/.

* :mod:`.orchestrate` — a whole build: what to skip, writing what workers produce, the manifest, PDFs;
* :mod:`.workers` — the work on one department's sources, in this process or a worker;
* :mod:`.rendering` — a validated source and a document to .docx bytes;
* :mod:`.paths` — where each document goes and what its file is called;
* :mod:`.digests` — what a document is made from;
* :mod:`.manifest` and :mod:`.cache` — what perfdoc wrote, and what lets it skip a source unread;
* :mod:`.lock`, :mod:`.writes`, :mod:`.parallel`, :mod:`.pdf` — the lock, atomic writes, worker processes, LibreOffice.
"""
