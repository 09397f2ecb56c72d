/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-link-store"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pg-error.h"
#include "pg-link-copy.h"
#include "pg-link-record.h"
#include "pg-link-service.h"
#include "pg-link-store.h"
#include "test-async.h"

static gboolean
load (PgLinkStore  *store,
      GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pg_link_store_load_async (store, NULL, test_store_result, &result);

  return pg_link_store_load_finish (store, test_wait_for (&result), error);
}

static gboolean
save (PgLinkStore  *store,
      GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pg_link_store_save_async (store, NULL, test_store_result, &result);

  return pg_link_store_save_finish (store, test_wait_for (&result), error);
}

static GFile *
temp_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-link-store-XXXXXX", &error);

  g_assert_no_error (error);

  /* A directory that does not exist yet: saving makes it. */
  return g_file_new_build_filename (dir, "data", "links.json", NULL);
}

static void
test_link_store_round_trip (void)
{
  g_autoptr(GFile) file = temp_file ();
  g_autoptr(PgLinkStore) store = pg_link_store_new (file);
  g_autoptr(PgLinkStore) again = pg_link_store_new (file);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new ("http://127.0.0.1:7480", "us-east-1", TRUE,
                                                    NULL);
  g_autoptr(PgCredentials) signer = pg_credentials_new ("PRESIGNKEY", "PRESIGNSECRET", NULL,
                                                        NULL, NULL);
  g_autoptr(PgCredentials) other = pg_credentials_new ("OTHERKEY", "x", NULL, NULL, NULL);
  g_autofree char *original = NULL;
  g_autofree char *derived = NULL;
  g_autofree char *contents = NULL;
  PgPresignOptions download = {
    .method = PG_METHOD_GET, .bucket = "demo", .key = "報告書 2026.pdf", .expires = 3600,
    .signing_time = 1795860000, .filename = "報告書.pdf",
  };
  PgPresignOptions upload = {
    .method = PG_METHOD_PUT, .bucket = "demo", .key = "incoming/x/a+b.txt", .expires = 600,
    .signing_time = 1795860000, .if_none_match = TRUE, .content_type = "text/plain",
  };
  g_autoptr(PgLink) first = pg_link_new ("account-1", &download, "PRESIGNKEY");
  g_autoptr(PgLink) second = pg_link_new ("account-1", &upload, "PRESIGNKEY");
  g_autoptr(PgLink) loaded = NULL;

  /* No file yet is no error. */
  g_assert_true (load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  pg_link_store_add (store, first);
  pg_link_store_add (store, second);
  pg_link_set_state (first, PG_LINK_REVOKED);
  pg_link_set_state (second, PG_LINK_REVOKING);
  g_assert_true (save (store, &error));
  g_assert_no_error (error);

  /* Metadata only: no signature, no secret, no URL at rest. */
  g_assert_true (g_file_load_contents (file, NULL, &contents, NULL, NULL, NULL));
  g_assert_null (strstr (contents, "Signature"));
  g_assert_null (strstr (contents, "PRESIGNSECRET"));
  g_assert_null (strstr (contents, "http"));

  g_assert_true (load (again, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);
  loaded = g_list_model_get_item (G_LIST_MODEL (again), 1);
  g_assert_cmpstr (pg_link_get_id (loaded), ==, pg_link_get_id (first));
  g_assert_cmpstr (pg_link_get_key (loaded), ==, "報告書 2026.pdf");
  g_assert_cmpint (pg_link_get_state (loaded), ==, PG_LINK_REVOKED);
  g_assert_cmpint (pg_link_get_expires_at (loaded), ==, 1795860000 + 3600);

  /* The URL comes back the same, from metadata and the secret. */
  original = pg_presign_url (endpoint, signer, &download, &error);
  derived = pg_link_derive_url (loaded, endpoint, signer, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (original, ==, derived);
  g_clear_pointer (&derived, g_free);
  derived = pg_link_derive_url (loaded, endpoint, other, &error);
  g_assert_null (derived);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* A revocation under way when the app quit is remembered as not proven. */
  g_clear_object (&loaded);
  loaded = g_list_model_get_item (G_LIST_MODEL (again), 0);
  g_assert_cmpint (pg_link_get_state (loaded), ==, PG_LINK_REVOKE_UNVERIFIED);
  g_assert_true (pg_link_get_if_none_match (loaded));
  g_assert_cmpint (pg_link_get_state_at (loaded, 1795860000 + 601), ==, PG_LINK_REVOKE_UNVERIFIED);
}

static void
test_link_store_damaged_file_kept (void)
{
  g_autoptr(GFile) file = temp_file ();
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autoptr(PgLinkStore) store = pg_link_store_new (file);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;
  gboolean kept = FALSE;

  g_file_make_directory_with_parents (parent, NULL, NULL);
  g_assert_true (g_file_replace_contents (file, "{\"version\":1,\"links\":[{\"id\":", 28, NULL,
                                          FALSE, 0, NULL, NULL, NULL));

  g_assert_false (load (store, &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "links.json.damaged-"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_false (g_file_query_exists (file, NULL));

  children = g_file_enumerate_children (parent, G_FILE_ATTRIBUTE_STANDARD_NAME, 0, NULL, NULL);
  while ((info = g_file_enumerator_next_file (children, NULL, NULL)))
    {
      if (g_str_has_prefix (g_file_info_get_name (info), "links.json.damaged-"))
        {
          g_autoptr(GFile) aside = g_file_get_child (parent, g_file_info_get_name (info));
          g_autofree char *contents = NULL;

          g_assert_true (g_file_load_contents (aside, NULL, &contents, NULL, NULL, NULL));
          g_assert_cmpstr (contents, ==, "{\"version\":1,\"links\":[{\"id\":");
          kept = TRUE;
        }
      g_object_unref (info);
    }
  g_assert_true (kept);
}

static void
test_link_store_many (void)
{
  g_autoptr(GFile) file = temp_file ();
  g_autoptr(PgLinkStore) store = pg_link_store_new (file);
  g_autoptr(PgLinkStore) again = pg_link_store_new (file);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *key = g_strdup_printf ("files/%05u.pdf", i);
      PgPresignOptions options = {
        .method = PG_METHOD_GET, .bucket = "demo", .key = key, .expires = 86400,
        .signing_time = 1795860000 + i,
      };
      g_autoptr(PgLink) link = pg_link_new ("account-1", &options, "PRESIGNKEY");

      pg_link_store_add (store, link);
    }

  g_assert_true (save (store, &error));
  g_assert_true (load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 10000);
}

/* A link's record in its bucket: metadata read back the same; what is not a record refused. */
static void
test_link_record_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLinkRecord) record = pg_link_record_new ();
  g_autoptr(PgLinkRecord) back = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) other = g_bytes_new_static ("{\"id\":\"x\"}", 10);
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\x00\xff", 2);

  record->id = g_strdup ("3f2c");
  record->bucket = g_strdup ("b");
  record->key = g_strdup ("見積書/2026 +100%.pdf");
  record->action = g_strdup ("get");
  record->precision = PG_LINK_PRECISION_SESSION;
  record->role_arn = g_strdup ("arn:aws:iam::123456789012:role/links");
  record->session_name = g_strdup ("pg-3f2c");
  record->session_arn = g_strdup ("arn:aws:sts::123456789012:assumed-role/links/pg-3f2c");
  record->access_key_id = g_strdup ("ASIAEXAMPLE");
  record->created = 1796000000;
  record->expires = 1796003600;

  json = pg_link_record_to_json (record);
  g_assert_null (strstr (json, "ecret"));
  g_assert_null (strstr (json, "oken"));
  g_assert_null (strstr (json, "ignature"));
  bytes = g_bytes_new (json, strlen (json));
  back = pg_link_record_parse (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->key, ==, record->key);
  g_assert_cmpstr (back->session_arn, ==, record->session_arn);
  g_assert_cmpstr (back->access_key_id, ==, "ASIAEXAMPLE");
  g_assert_cmpint (back->created, ==, record->created);
  g_assert_cmpint (back->expires, ==, record->expires);
  g_assert_null (back->creator);

  g_assert_null (pg_link_record_parse (other, &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (pg_link_record_parse (garbage, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* An empty object in the bucket where a record should be. */
  {
    g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);

    g_assert_null (pg_link_record_parse (empty, &error));
    g_assert_error (error, PG_ERROR, PG_ERROR_FAILED);
    g_clear_error (&error);
  }

  /* Armed, used and closed: read back as written. */
  record->arming = PG_LINK_ARMING_DOWNLOAD;
  record->grace = 30;
  record->used_at = record->created + 60;
  record->used_by = g_strdup ("203.0.113.7");
  record->closed_at = record->created + 91;
  {
    g_autofree char *armed_json = pg_link_record_to_json (record);
    g_autoptr(GBytes) armed_bytes = g_bytes_new (armed_json, strlen (armed_json));
    g_autoptr(PgLinkRecord) armed = pg_link_record_parse (armed_bytes, &error);

    g_assert_no_error (error);
    g_assert_cmpint (armed->arming, ==, PG_LINK_ARMING_DOWNLOAD);
    g_assert_cmpint (armed->grace, ==, 30);
    g_assert_cmpint (armed->used_at, ==, record->created + 60);
    g_assert_cmpstr (armed->used_by, ==, "203.0.113.7");
    g_assert_cmpint (armed->closed_at, ==, record->created + 91);
  }
}

/* The most precise way to revoke a new download link: a session of its own where a role and
 * the lifetime allow (36 hours with federated sessions, on AWS), else a private copy of a file
 * small enough, else the file. The copy of a link is named after it and keeps the file's name. */
static void
test_link_precision (void)
{
  static const struct
  {
    gboolean        role;
    gboolean        federation;
    guint           lifetime;
    gint64          size;
    guint64         limit;
    PgLinkPrecision expected;
  } cases[] = {
    { TRUE,  FALSE, 3600,   10, 0,    PG_LINK_PRECISION_SESSION },
    { TRUE,  FALSE, 43200,  10, 0,    PG_LINK_PRECISION_SESSION },
    { TRUE,  FALSE, 43201,  10, 0,    PG_LINK_PRECISION_OBJECT },
    { TRUE,  FALSE, 43201,  10, 100,  PG_LINK_PRECISION_COPY },
    { TRUE,  TRUE,  129600, 10, 0,    PG_LINK_PRECISION_SESSION },
    { TRUE,  TRUE,  129601, 10, 100,  PG_LINK_PRECISION_COPY },
    { FALSE, TRUE,  3600,   10, 100,  PG_LINK_PRECISION_COPY },
    { FALSE, FALSE, 3600,   100, 100, PG_LINK_PRECISION_COPY },
    { FALSE, FALSE, 3600,   101, 100, PG_LINK_PRECISION_OBJECT },
    { FALSE, FALSE, 3600,   -1, 100,  PG_LINK_PRECISION_COPY },
    { FALSE, FALSE, 3600,   -1, 0,    PG_LINK_PRECISION_OBJECT },
  };
  g_autofree char *copy = pg_link_copy_key ("1234", "a/b/契約書 +%.pdf");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (pg_link_precision_best (cases[i].role, cases[i].federation,
                                             cases[i].lifetime, cases[i].size, cases[i].limit),
                     ==, cases[i].expected);
  g_assert_cmpstr (copy, ==, ".presign-guard/copies/1234/契約書 +%.pdf");
}

/* Our lifecycle rule joins the bucket's own rules, which are kept as written; once there, it is
 * not added again; what cannot be read is not replaced. */
static void
test_link_copy_lifecycle (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fresh = pg_link_copy_lifecycle (NULL, &error);
  g_autofree char *merged = NULL;
  g_autofree char *again = NULL;
  const char *owners =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><LifecycleConfiguration "
    "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ID>logs</ID><Filter><Prefix>logs/"
    "</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>"
    "</LifecycleConfiguration>";

  g_assert_no_error (error);
  g_assert_nonnull (strstr (fresh, "<ID>" PG_LINK_COPY_RULE_ID "</ID>"));
  g_assert_nonnull (strstr (fresh, "<Prefix>.presign-guard/copies/</Prefix>"));
  g_assert_nonnull (strstr (fresh, "<Days>8</Days>"));

  merged = pg_link_copy_lifecycle (owners, &error);
  g_assert_no_error (error);
  /* The owner's text, untouched, with ours before its end. */
  g_assert_true (g_str_has_prefix (merged, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                                           "<LifecycleConfiguration xmlns="));
  g_assert_nonnull (strstr (merged, "<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter>"
                                    "<Status>Enabled</Status><Expiration><Days>30</Days>"
                                    "</Expiration></Rule><Rule><ID>" PG_LINK_COPY_RULE_ID));
  g_assert_true (g_str_has_suffix (merged, "</Rule></LifecycleConfiguration>"));

  again = pg_link_copy_lifecycle (merged, &error);
  g_assert_no_error (error);
  g_assert_null (again);

  g_assert_null (pg_link_copy_lifecycle ("<Error>garbage", &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_FAILED);
}

/* The link rules the views show, from the core: restorable, usable, what revoking closes, what
 * a watcher saw; and the link model's types registered for properties and signals. */
static void
test_link_rules (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  PgPresignOptions options = { .method = PG_METHOD_GET, .bucket = "b", .key = "a/report.pdf",
                               .expires = 3600, .signing_time = now };
  g_autoptr(PgLink) link = pg_link_new ("account", &options, "AKID");
  g_autoptr(PgLink) copy = pg_link_new_for_copy ("account", "id", &options, "AKID",
                                                 "a/original.pdf");
  g_autoptr(PgLinkRecord) record = NULL;
  g_autoptr(PgLinkRecord) twin = NULL;
  g_autofree char *arming = NULL;
  g_autofree char *use = NULL;
  GValue value = G_VALUE_INIT;

  g_assert_true (G_TYPE_IS_ENUM (PG_TYPE_LINK_STATE));
  g_assert_true (G_TYPE_IS_ENUM (PG_TYPE_LINK_ARMING));
  g_assert_true (G_TYPE_IS_ENUM (PG_TYPE_LINK_PRECISION));
  g_assert_true (G_TYPE_IS_BOXED (PG_TYPE_LINK_RECORD));

  g_assert_true (pg_link_is_usable (link, now));
  g_assert_false (pg_link_can_restore (link, now));
  g_assert_cmpstr (pg_link_describe_revoking (link), ==, "Closes every link to this file");
  g_assert_null (pg_link_describe_arming (link));
  g_assert_null (pg_link_describe_use (link));

  /* The state is a typed, notifying property. */
  pg_link_set_state (link, PG_LINK_REVOKED);
  g_value_init (&value, PG_TYPE_LINK_STATE);
  g_object_get_property (G_OBJECT (link), "state", &value);
  g_assert_cmpint (g_value_get_enum (&value), ==, PG_LINK_REVOKED);
  g_value_unset (&value);
  g_assert_true (pg_link_can_restore (link, now));
  g_assert_false (pg_link_can_restore (link, now + 3600));
  g_assert_false (pg_link_is_usable (link, now));

  /* Armed, then used and closed: the row's and the details' words. */
  pg_link_set_arming (link, PG_LINK_ARMING_DOWNLOAD, 60);
  arming = pg_link_describe_arming (link);
  g_assert_cmpstr (arming, ==, "Closes after first download");
  pg_link_set_use (link, now, "203.0.113.7", now + 61);
  g_clear_pointer (&arming, g_free);
  arming = pg_link_describe_arming (link);
  g_assert_cmpstr (arming, ==, "Closed after use ✓");
  g_clear_pointer (&arming, g_free);
  arming = pg_link_describe_user (link);
  g_assert_true (g_str_has_prefix (arming, "Used by 203.0.113.7 at "));
  use = pg_link_describe_use (link);
  g_assert_true (g_str_has_prefix (use, "By 203.0.113.7 at "));

  /* A private copy is revoked alone; its record says so, and a copy of the record is whole. */
  g_assert_true (pg_link_can_revoke_alone (copy));
  g_assert_cmpint (pg_link_get_precision (copy), ==, PG_LINK_PRECISION_COPY);
  g_assert_cmpstr (pg_link_get_file_key (copy), ==, "a/original.pdf");
  g_assert_cmpstr (pg_link_describe_revoking (copy), ==,
                   "Closes this link alone: it points at a copy of the file of its own");
  record = pg_link_record_new_for_link (copy);
  twin = pg_link_record_copy (record);
  g_assert_cmpint (twin->precision, ==, PG_LINK_PRECISION_COPY);
  g_assert_cmpstr (twin->copy_key, ==, "a/report.pdf");
  g_assert_true (twin->copy_key != record->copy_key);
}

/* A record is used for a pasted link only when it describes that link in every point. */
static void
test_link_record_trust (void)
{
  const char *url = "https://s3.example.com/bucket/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                    "&X-Amz-Credential=ASIATEMP%2F20261207%2Fus-east-1%2Fs3%2Faws4_request"
                    "&X-Amz-Date=20261207T100000Z&X-Amz-Expires=3600"
                    "&X-Amz-Security-Token=token&X-Amz-SignedHeaders=host"
                    "&X-Amz-Signature=0000000000000000000000000000000000000000000000000000000000000000";
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPresignedUrl) link = pg_presigned_url_parse (url, &error);
  g_autoptr(PgLinkRecord) record = pg_link_record_new ();
  struct { const char *field; const char *value; const char *said; } edits[] = {
    { "bucket", "other-bucket", "other-bucket" },
    { "key", "important.txt", "important.txt" },
    { "access_key_id", "ASIAOTHER", "ASIAOTHER" },
    { "session_arn", "arn:aws:sts::1:assumed-role/links/pg-innocent", "pg-innocent" },
    { "id", "../x", "id" },
  };

  g_assert_no_error (error);
  record->id = g_strdup ("abc-123");
  record->bucket = g_strdup ("bucket");
  record->key = g_strdup ("report.pdf");
  record->access_key_id = g_strdup ("ASIATEMP");
  record->precision = PG_LINK_PRECISION_SESSION;
  record->session_name = g_strdup ("pg-abc-123");
  record->session_arn = g_strdup ("arn:aws:sts::1:assumed-role/links/pg-abc-123");
  g_assert_null (pg_link_service_record_disagrees (record, link));

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autoptr(PgLinkRecord) edited = pg_link_record_copy (record);
      g_autofree char *differs = NULL;
      char **field = g_str_equal (edits[i].field, "bucket") ? &edited->bucket
                     : g_str_equal (edits[i].field, "key") ? &edited->key
                     : g_str_equal (edits[i].field, "access_key_id") ? &edited->access_key_id
                     : g_str_equal (edits[i].field, "session_arn") ? &edited->session_arn
                     : &edited->id;

      g_free (*field);
      *field = g_strdup (edits[i].value);
      differs = pg_link_service_record_disagrees (edited, link);
      g_assert_nonnull (differs);
      g_assert_nonnull (strstr (differs, edits[i].said));
    }

  /* A plain or copy record for a link with a session token. */
  for (PgLinkPrecision precision = PG_LINK_PRECISION_OBJECT;
       precision <= PG_LINK_PRECISION_COPY; precision++)
    {
      g_autofree char *differs = NULL;

      if (precision == PG_LINK_PRECISION_SESSION)
        continue;
      record->precision = precision;
      differs = pg_link_service_record_disagrees (record, link);
      g_assert_nonnull (differs);
    }

  g_assert_true (pg_link_copy_is_copy_key (".presign-guard/copies/abc-123/report.pdf", NULL));
  g_assert_true (pg_link_copy_is_copy_key (".presign-guard/copies/abc-123/report.pdf",
                                           "abc-123"));
  g_assert_false (pg_link_copy_is_copy_key (".presign-guard/copies/abc-123/report.pdf", "abc"));
  g_assert_false (pg_link_copy_is_copy_key (".presign-guard/copies/x/../../important.txt",
                                            NULL));
  g_assert_false (pg_link_copy_is_copy_key ("important.txt", NULL));
  g_assert_false (pg_link_copy_is_copy_key (".presign-guard/copies/abc-123/", NULL));
  g_assert_true (pg_link_id_is_valid ("0b5e4c1a-93f1-4c1e-9b1e-2f6d1e0c9a77"));
  g_assert_false (pg_link_id_is_valid ("../x"));
  g_assert_false (pg_link_id_is_valid ("a*"));
  g_assert_false (pg_link_id_is_valid (""));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg/link-store/round-trip", test_link_store_round_trip);
  g_test_add_func ("/pg/link-record/round-trip", test_link_record_round_trip);
  g_test_add_func ("/pg/link-store/damaged-file-kept", test_link_store_damaged_file_kept);
  g_test_add_func ("/pg/link-store/many", test_link_store_many);
  g_test_add_func ("/pg/link-copy/precision", test_link_precision);
  g_test_add_func ("/pg/link-copy/lifecycle", test_link_copy_lifecycle);

  g_test_add_func ("/pg/link/rules", test_link_rules);
  g_test_add_func ("/pg/link-record/trust", test_link_record_trust);

  return g_test_run ();
}
