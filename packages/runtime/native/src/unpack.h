/* `berth-helper unpack TARGET_DIR`: extracts one layer tar from stdin with TARGET_DIR as the root. */
#ifndef BERTH_UNPACK_H
#define BERTH_UNPACK_H
int cmd_unpack(int argc, char **argv);
#endif
