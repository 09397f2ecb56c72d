/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-error"

#include "config.h"

#include "pg-error.h"

G_DEFINE_QUARK (pg-error-quark, pg_error)
