#include "extract.h"
#include "error.h"

static int copy_data(struct archive *in, struct archive *out, const char *name)
{
  for (;;) {
    const void *buf;
    size_t size;
    la_int64_t offset;
    int r = archive_read_data_block(in, &buf, &size, &offset);
    if (r == ARCHIVE_EOF)
      return 0;
    if (r < ARCHIVE_WARN)
      return berr(0, "read entry %s: %s", name, archive_error_string(in));
    if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_WARN)
      return berr(0, "write entry %s: %s", name, archive_error_string(out));
  }
}

int extract_entry(struct archive *in, struct archive *out, struct archive_entry *e, const char *name, long long *files, long long *bytes)
{
  if (archive_write_header(out, e) < ARCHIVE_WARN)
    return berr(0, "extract entry %s: %s", name, archive_error_string(out));
  if (archive_entry_size(e) > 0 && archive_entry_hardlink(e) == NULL && copy_data(in, out, name) < 0)
    return -1;
  if (archive_write_finish_entry(out) < ARCHIVE_WARN)
    return berr(0, "finish entry %s: %s", name, archive_error_string(out));
  (*files)++;
  if (archive_entry_filetype(e) == AE_IFREG && archive_entry_hardlink(e) == NULL)
    *bytes += archive_entry_size(e);
  return 0;
}
