/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-link-service.h"

G_BEGIN_DECLS

/* The link service's insides, shared by its two files (internal to the core):
 *
 *   pg-link-service.c        the service, its links, saves and jobs
 *   pg-link-service-pages.c  upload pages: making, removing, revoking from a URL */

PgLinkStore *_pg_link_service_get_store (PgLinkService *self);

G_END_DECLS
