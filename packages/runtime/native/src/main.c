/* berth-helper: subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "archive_cmd.h"
#include "copyup.h"
#include "error.h"
#include "exec.h"
#include "monitor.h"
#include "selfclone.h"
#include "unpack.h"

int main(int argc, char **argv)
{
  if (argc < 2) {
    log_line(2, "error", "usage: berth-helper unpack|start|exec|copyup ...");
    return 1;
  }
  const char *cmd = argv[1];
  /* the subcommands that run in or beside a container run from a sealed copy (selfclone.c) */
  if ((strcmp(cmd, "start") == 0 || strcmp(cmd, "exec") == 0) && selfclone_ensure(argv) < 0) {
    log_line(2, "error", "%s: %s", cmd, berr_msg());
    return strcmp(cmd, "exec") == 0 ? 125 : 1;
  }
  if (strcmp(cmd, "unpack") == 0)
    return cmd_unpack(argc - 1, argv + 1);
  if (strcmp(cmd, "start") == 0)
    return cmd_start(argc - 1, argv + 1);
  if (strcmp(cmd, "exec") == 0)
    return cmd_exec(argc - 1, argv + 1);
  if (strcmp(cmd, "copyup") == 0)
    return cmd_copyup(argc - 1, argv + 1);
  if (strcmp(cmd, "archive-out") == 0 || strcmp(cmd, "archive-in") == 0)
    return cmd_archive(argc - 1, argv + 1);
  log_line(2, "error", "unknown subcommand %s", cmd);
  return 1;
}
