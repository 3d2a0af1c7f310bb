#ifndef BERTH_ARCHIVE_CMD_H
#define BERTH_ARCHIVE_CMD_H

/* archive-out / archive-in (argv[0] names which): `berth cp` inside a container's root. */
int cmd_archive(int argc, char **argv);

#endif
