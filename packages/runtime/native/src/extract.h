/* Writing one tar entry read with libarchive to disk: shared by unpack (image layers) and
 * archive-in (berth cp). The callers decide the entry's name and owner first. */
#ifndef BERTH_EXTRACT_H
#define BERTH_EXTRACT_H

#include <archive.h>
#include <archive_entry.h>

/* Writes entry `e` (header, data unless it is a hard link, finish) and counts it in files/bytes. */
int extract_entry(struct archive *in, struct archive *out, struct archive_entry *e, const char *name, long long *files, long long *bytes);

#endif
