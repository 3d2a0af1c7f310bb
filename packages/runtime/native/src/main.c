/* berth-helper: subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "exec.h"
#include "monitor.h"
#include "unpack.h"

int main(int argc, char **argv)
{
  if (argc < 2) {
    log_line(2, "error", "usage: berth-helper unpack|start|exec ...");
    return 1;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "unpack") == 0)
    return cmd_unpack(argc - 1, argv + 1);
  if (strcmp(cmd, "start") == 0)
    return cmd_start(argc - 1, argv + 1);
  if (strcmp(cmd, "exec") == 0)
    return cmd_exec(argc - 1, argv + 1);
  log_line(2, "error", "unknown subcommand %s", cmd);
  return 1;
}
