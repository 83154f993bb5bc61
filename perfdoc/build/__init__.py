"""Build: batches of sources to documents under build/, with the manifest, the lock, workers and PDFs."""
