/* copyup: fills a new volume from an image's content at a path (Docker's copy on first mount). */
#ifndef BERTH_COPYUP_H
#define BERTH_COPYUP_H

int cmd_copyup(int argc, char **argv);

#endif
