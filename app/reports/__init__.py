"""PDF documents: the semester journal archive, journal-keeping analyses, progress and attendance
reports and the guardian letter, compiled in-process by typst from templates/*.typ."""
