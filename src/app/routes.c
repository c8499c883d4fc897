/*
** routes.c -- the route table: method, path pattern, handler, the roles that may
** call it, flags, a one-line summary, where one applies beyond the anonymous one
** a rate-limit class (api/limits.c), and what it reads and answers: Q(query
** parameters), B(body fields), A(answer), in the language of http/schema.h with
** the named shapes of schemas.c. The server refuses whatever a route does not
** declare before its handler runs; /openapi.json is generated from this table.
** Read it at a glance. Scope (which region, location or member) is checked by the
** domain's scope_check_* and access_member functions, called from the handlers.
*/
#include "api/api.h"
#include "app/app.h"
#include "app/handlers.h"
#include "behaviour/handlers.h"
#include "catalog/handlers.h"
#include "desk/handlers.h"
#include "identity/handlers.h"
#include "insight/handlers.h"
#include "member/handlers.h"
#include "org/channel.h"
#include "org/handlers.h"
#include "presence/handlers.h"
#include "reports/handlers.h"
#include "review/handlers.h"
#include "sales/handlers.h"
#include "stock/handlers.h"

#define STAFF ROLE_STAFF
#define MGR ROLE_MANAGERS
#define CHAN ROLE_CHANNEL
#define MEMB ROLE_MEMBER
#define OWNER ROLE_OWNER
#define PUBLIC ROLE_PUBLIC
#define ANY ROLE_ANY_AUTH
#define IDEM HTTP_IDEMPOTENT
#define NONE NULL
#define Q(x) x
#define B(x) x
#define A(x) x

/* inputs several routes share */
#define POINTS_IN "location?:str, reason?:str, ref?:str, channel?:" SALES_CHANNELS_DECL
#define LOCATION_IN                                                                                            \
    "address?:str, lat?:num, lon?:num, timezone?:str, opens_at?:str, closes_at?:str, status?:(open|closed)"
#define SCOPE_Q "store?:str, region?:str"
#define FORMAT_Q "format?:(json|csv|html|xlsx), bom?:bool"
#define REPORT_FILES "text/csv; text/html; application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static const struct http_route routes[] = {
    /* operations */
    {"GET", "/", api_landing, PUBLIC, 0, "Landing page: version, backend, what is loaded", NULL, NONE, NONE,
     A("200 text/html")},
    {"GET", "/healthz", api_healthz, PUBLIC, 0, "Liveness and storage check", NULL, NONE, NONE,
     A("200,503 {status:str, version?:str, backend?:str}")},
    {"GET", "/metrics", api_metrics, PUBLIC, 0, "Prometheus metrics", NULL, NONE, NONE, A("200 text/plain")},
    {"GET", "/console", api_console_page, PUBLIC, 0, "The staff console (sign in there)", NULL, NONE, NONE,
     A("200,304 text/html")},
    {"GET", "/console/{file}", api_console_file, PUBLIC, 0, "A file of the staff console", NULL, NONE, NONE,
     A("200,304 text/html; text/javascript; text/css")},
    {"GET", "/m", api_member_page, PUBLIC, 0, "The member's pages (phone-sized; sign in with a code)", NULL, NONE,
     NONE, A("200,304 text/html")},
    {"GET", "/m/{file}", api_member_file, PUBLIC, 0, "A file of the member's pages", NULL, NONE, NONE,
     A("200,304 text/html; text/javascript; text/css")},
    {"GET", "/openapi.json", api_openapi, PUBLIC, 0, "This API's OpenAPI 3 description", NULL, NONE, NONE, A("200 obj")},
    {"GET", "/v1/outbox", api_outbox_list, OWNER, 0,
     "Outgoing messages (SMS, WeChat, e-mail, webhooks): their state, provider, delivery and reason", NULL,
     Q("recipient?:str, status?:str, limit?:int"), NONE,
     A("200 {items:[{id:int, topic:str, recipient:str, payload:str, status:str, attempts:int, created_at:time, "
       "template:str, purpose:str, member_id:int|null, provider:str, provider_ref:str, reason:str, "
       "next_at:time|null, sent_at:time|null, delivered_at:time|null, fallback:str|null}]}")},
    {"POST", "/v1/points/expire", api_points_expire, OWNER, 0, "Expire every points lot due by now (or by as_of)", NULL,
     NONE, B("as_of?:time|int"), A("200 {expired_lots:int}")},
    {"POST", "/v1/orders/expire", api_orders_expire, OWNER, 0,
     "Cancel orders unpaid by now (or by as_of) and pickups not collected in time", NULL, NONE, B("as_of?:time|int"),
     A("200 {cancelled_unpaid:int, expired_pickups:int}")},
    {"POST", "/v1/reservations/expire", api_reservations_expire, OWNER, 0, "Release every expired reservation", NULL,
     NONE, NONE, A("200 {expired_reservations:int}")},
    {"GET", "/v1/settings", api_settings_get, STAFF, 0, "Chain settings: earn rule, points expiry, country code", NULL,
     NONE, NONE, A("200 {*:str}")},
    {"PATCH", "/v1/settings", api_settings_update, OWNER, 0, "Change chain settings", NULL, NONE, B("{*:int|str}"),
     A("200 {*:str}")},
    {"GET", "/v1/tiers", api_tiers_list, ANY, 0, "Member tiers and their 12-month spend thresholds", NULL, NONE, NONE,
     A("200 {items:[Tier]}")},
    {"PUT", "/v1/tiers/{code}", api_tiers_update, OWNER, 0, "Create or change a tier", NULL, NONE,
     B("min_spend_12m:int, earn_pct:int"), A("200 [Tier]")},

    /* identity */
    {"POST", "/v1/auth/login", api_auth_login, PUBLIC, 0, "Staff login: username and password to a bearer token", NULL,
     NONE, B("username:str, password:str"),
     A("200 {token:str, token_type:(Bearer), expires_at:time, principal:Principal}")},
    {"POST", "/v1/auth/logout", api_auth_logout, ANY, 0, "End this session", NULL, NONE, NONE, A("200 {ok:bool}")},
    {"POST", "/v1/auth/otp", api_auth_otp, PUBLIC, 0, "Send a one-time sign-in code to a member's phone", "otp", NONE,
     B("phone:str"), A("202 {sent:bool, phone:str, expires_in:int}")},
    {"POST", "/v1/auth/otp/verify", api_auth_otp_verify, PUBLIC, 0, "Member sign-in with phone and code", NULL, NONE,
     B("phone:str, code:str, device_id?:str"),
     A("200 {token:str, token_type:(Bearer), expires_at:time, member_id:int}")},
    {"GET", "/v1/me", api_me, ANY, 0, "Who am I: role and scope of this token", NULL, NONE, NONE, A("200 Principal")},
    {"GET", "/v1/me/member-code", api_member_code, MEMB, 0,
     "A member's code for her app to show as a QR code at a till (valid two minutes)", NULL, NONE, NONE,
     A("200 {member_id:int, code:str, expires_at:time}")},
    {"POST", "/v1/till/identify", api_till_identify, STAFF | CHAN, 0,
     "A member identifies herself at a till: her member code, or a code sent to her phone; the till may then "
     "see her and spend her points for this sale", NULL, NONE, B("member_code?:str, phone?:str, code?:str"),
     A("200,202 {sent:bool, phone:str}|{member:Member, via:(member_code|phone_code), identified_until:time|null}")},
    {"POST", "/v1/staff", api_staff_create, MGR, IDEM, "Create a staff account within your scope", NULL, NONE,
     B("username:str, name?:str, password:str, "
       "role:(owner|region_manager|store_manager|clerk|service_agent), scope_kind?:(chain|region|location), scope?:str"),
     A("201 {id:int, username:str, name:str, role:str, scope_kind:str, scope_id:int}")},
    {"GET", "/v1/staff", api_staff_list, MGR, 0, "Staff accounts within your scope", NULL, Q("cursor?:int, limit?:int"),
     NONE, A("200 {items:[StaffAccount], next_cursor:int|null}")},
    {"PATCH", "/v1/staff/{id}", api_staff_update, MGR, 0,
     "Deactivate (its sessions end) or reactivate an account you may grant, within your scope; its phone and "
     "e-mail (where alerts reach her: she may keep up her own)", NULL, NONE,
     B("active?:bool, phone?:str|null, email?:str|null"), A("200 StaffAccount")},
    {"GET", "/v1/api-keys", api_keys_list, MGR, 0, "API keys: the chain's, or those of the stores in your scope", NULL,
     Q("cursor?:int, limit?:int"), NONE, A("200 {items:[ApiKey], next_cursor:int|null}")},
    {"DELETE", "/v1/api-keys/{id}", api_keys_revoke, OWNER, 0, "Revoke a key: it stops working at once", NULL, NONE,
     NONE, A("200 ApiKey")},
    {"GET", "/v1/audit", api_audit_list, OWNER, 0,
     "The audit trail, newest first: merges, point corrections, returns, stock corrections, accounts, keys, settings "
     "(action= one action or a kind such as points)", NULL, Q("action?:str, cursor?:int, limit?:int"), NONE,
     A("200 {items:[{id:int, actor:str, action:str, subject:str, detail:str, at:time}], next_cursor:int|null}")},
    {"POST", "/v1/api-keys", api_keys_create, OWNER, IDEM, "Create a channel or terminal API key", NULL, NONE,
     B("channel:" SALES_CHANNELS_DECL ", name?:str, location?:str"),
     A("201 {id:int, key:str, name:str, channel:str, location:str|null, note:str}")},

    /* locations */
    {"GET", "/v1/regions", api_regions_list, STAFF | CHAN, 0, "The region tree", NULL, NONE, NONE,
     A("200 {items:[Region]}")},
    {"POST", "/v1/regions", api_regions_create, OWNER | ROLE_REGION_MANAGER, IDEM, "Create a region", NULL, NONE,
     B("code:str, name:str, parent?:str"), A("201 Region")},
    {"GET", "/v1/locations", api_locations_list, ANY, 0, "Stores, warehouses and restaurants in your scope", NULL,
     Q("kind?:(store|warehouse|restaurant)"), NONE, A("200 {items:[Location]}")},
    {"POST", "/v1/locations", api_locations_create, OWNER | ROLE_REGION_MANAGER, IDEM, "Create a location", NULL, NONE,
     B("code:str, name:str, kind:(store|warehouse|restaurant), region:str, " LOCATION_IN), A("201 Location")},
    {"GET", "/v1/locations/{code}", api_locations_get, ANY, 0, "One location", NULL, NONE, NONE, A("200 Location")},
    {"PATCH", "/v1/locations/{code}", api_locations_update, MGR, 0, "Change a location's details or hours", NULL, NONE,
     B("name?:str, " LOCATION_IN), A("200 Location")},

    /* catalog */
    {"GET", "/v1/brands", api_brands_list, ANY, 0, "Brands", NULL, NONE, NONE, A("200 {items:[Brand]}")},
    {"POST", "/v1/brands", api_brands_create, OWNER, IDEM, "Create a brand", NULL, NONE, B("code:str, name:str"),
     A("201 Brand")},
    {"GET", "/v1/categories", api_categories_list, ANY, 0, "The category tree", NULL, NONE, NONE,
     A("200 {items:[Category]}")},
    {"POST", "/v1/categories", api_categories_create, OWNER, IDEM, "Create a category", NULL, NONE,
     B("code:str, name:str, parent?:str"), A("201 Category")},
    {"GET", "/v1/products", api_products_list, ANY, 0,
     "Products (launched ones for channels and members); q finds any part of the code or the name", NULL,
     Q("brand?:str, category?:str, q?:str, limit?:int, cursor?:int"), NONE,
     A("200 {items:[Product], next_cursor:str|null}")},
    {"POST", "/v1/products", api_products_create, OWNER, IDEM, "Create a product with its launch time", NULL, NONE,
     B("code:str, name:str, brand?:str, category?:str, description?:str, launch_at?:time|int"), A("201 Product")},
    {"PATCH", "/v1/products/{code}", api_products_update, OWNER, 0,
     "Change a product: name, description, brand, category, launch time (null: launched already)", NULL, NONE,
     B("name?:str, description?:str, brand?:str|null, category?:str|null, launch_at?:time|null"),
     A("200 Product")},
    {"GET", "/v1/products/{code}", api_products_get, ANY, 0, "A product with its SKUs", NULL, NONE, NONE,
     A("200 ProductWithSkus")},
    {"POST", "/v1/skus", api_skus_create, OWNER, IDEM, "Create a SKU: size, colour, barcode, list price", NULL, NONE,
     B("code:str, product:str, size?:str, colour?:str, barcode?:str, price:int"), A("201 Sku")},
    {"GET", "/v1/skus/lookup", api_skus_lookup, STAFF | CHAN, 0,
     "Scan in store: price, stock here and the nearest stores that have it", NULL, Q("barcode:str, store:str"), NONE,
     A("200 SkuLookup")},
    {"GET", "/v1/skus/{code}", api_skus_get, ANY, 0, "One SKU", NULL, NONE, NONE, A("200 Sku")},
    {"PATCH", "/v1/skus/{code}", api_skus_update, OWNER, 0, "Change a SKU's list price (every channel at once)", NULL,
     NONE, B("price:int"), A("200 Sku")},
    {"GET", "/v1/skus/{code}/availability", api_skus_availability, ANY, 0, "Where a SKU is available, nearest first",
     NULL, Q("near?:str, lat?:num, lon?:num, limit?:int"), NONE, A("200 {sku:str, items:[StockAt]}")},

    /* members */
    {"POST", "/v1/members", api_members_create, STAFF | CHAN, IDEM, "Register a member by mobile phone", NULL, NONE,
     B("phone:str, name?:str, consent_marketing?:bool, consent_sms?:bool, consent_email?:bool, home_location?:str"),
     A("201 Member")},
    {"GET", "/v1/members", api_members_search, STAFF, 0,
     "Find members by any part of the name or phone number, or by an identity's value (an openid, a card number)",
     NULL, Q("q:str, limit?:int"), NONE, A("200 {items:[MemberHit]}")},
    {"GET", "/v1/members/lookup", api_members_lookup, STAFF | CHAN, 0, "Find a member by phone or by a channel identity",
     NULL, Q("phone?:str, kind?:str, value?:str"), NONE, A("200 MemberWithIdentities")},
    {"GET", "/v1/members/{id}", api_members_get, ANY, 0, "A member with her identities", NULL, NONE, NONE,
     A("200 MemberWithIdentities")},
    {"PATCH", "/v1/members/{id}", api_members_update, ANY, 0,
     "Change name, consents, how she is reached (medium, fallback, quiet hours) or home store", NULL, NONE,
     B("name?:str, consent_marketing?:bool, consent_sms?:bool, consent_email?:bool, consent_service?:bool, "
       "prefer_medium?:(sms|wechat|email), fallback_medium?:str|null, quiet_hours?:str|null, home_location?:str|null"),
     A("200 Member")},
    {"POST", "/v1/members/{id}/identities", api_members_link, ANY, IDEM,
     "Link a channel identity (WeChat, Alipay, card, e-mail)", NULL, NONE, B("kind:str, value:str"),
     A("201 {member_id:int, kind:str, value:str}")},
    {"POST", "/v1/members/{id}/merge", api_members_merge, OWNER | ROLE_SERVICE_AGENT, IDEM,
     "Merge another member into this one", NULL, NONE, B("merge_id:int"), A("200 Member")},

    /* points */
    {"GET", "/v1/members/{id}/points", api_points_get, ANY, 0, "Points balance (and what it is worth, in fen) and ledger", NULL,
     Q("limit?:int, cursor?:int"), NONE,
     A("200 {member_id:int, balance:int, value:int, tier:str, items:[PointsEntry], next_cursor:int|null}")},
    {"POST", "/v1/members/{id}/points/earn", api_points_earn, STAFF | CHAN, IDEM,
     "Earn points for a purchase (amount in fen) or a given number", NULL, NONE,
     B("points?:int, amount?:int, " POINTS_IN), A("201 PointsDone")},
    {"POST", "/v1/members/{id}/points/redeem", api_points_redeem, STAFF | CHAN | MEMB, IDEM,
     "Spend points in any channel", NULL, NONE, B("points:int, " POINTS_IN), A("201 PointsDone")},
    {"POST", "/v1/members/{id}/points/adjust", api_points_adjust, MGR | ROLE_SERVICE_AGENT, IDEM,
     "Correct a balance, with a reason (audited)", NULL, NONE,
     B("points:int, location?:str, reason:str, ref?:str, channel?:" SALES_CHANNELS_DECL),
     A("201 PointsDone")},
    {"POST", "/v1/members/{id}/points/transfer", api_points_transfer, MEMB | OWNER | ROLE_SERVICE_AGENT, IDEM,
     "Give points to another member", NULL, NONE, B("points:int, to_phone?:str, to_member_id?:int, " POINTS_IN),
     A("201 PointsDone")},

    /* inventory */
    {"GET", "/v1/stock", api_stock_get, STAFF | CHAN, 0, "Stock of a SKU at a location", NULL,
     Q("sku:str, location:str"), NONE, A("200 Stock")},
    {"POST", "/v1/stock/movements", api_stock_move, MGR | ROLE_CLERK, IDEM,
     "Receive, adjust, sell or return stock at a location", NULL, NONE,
     B("sku:str, location:str, kind:(receive|adjust|sale|return), qty:int, reason?:str, ref?:str"), A("201 Stock")},
    {"GET", "/v1/stock/movements", api_stock_movements, STAFF, 0, "The movement journal of a SKU at a location", NULL,
     Q("sku:str, location:str, limit?:int"), NONE, A("200 {sku:str, location:str, items:[Movement]}")},
    {"POST", "/v1/stock/transfers", api_stock_transfer, MGR, IDEM, "Move stock between locations", NULL, NONE,
     B("sku:str, from:str, to:str, qty:int, ref?:str"), A("201 {sku:str, qty:int, from:Stock, to:Stock}")},
    {"POST", "/v1/reservations", api_reservations_create, STAFF | CHAN, IDEM, "Reserve available stock with expiry",
     NULL, NONE, B("sku:str, location:str, qty:int, ttl_seconds?:int, ref?:str"), A("201 Reservation")},
    {"GET", "/v1/reservations/{id}", api_reservations_get, STAFF | CHAN, 0, "One reservation", NULL, NONE, NONE,
     A("200 Reservation")},
    {"POST", "/v1/reservations/{id}/release", api_reservations_release, STAFF | CHAN, IDEM, "Give reserved stock back",
     NULL, NONE, NONE, A("200 Reservation")},
    {"POST", "/v1/reservations/{id}/consume", api_reservations_consume, STAFF | CHAN, IDEM,
     "Hand reserved stock over: it leaves on hand", NULL, NONE, NONE, A("200 Reservation")},

    /* orders */
    {"POST", "/v1/orders", api_orders_create, STAFF | CHAN | MEMB, IDEM,
     "Place an order in any channel: till sale, pickup or delivery (routed and reserved)", NULL, NONE,
     B("lines:[{sku:str, qty:int}], channel?:" SALES_CHANNELS_DECL ", "
       "fulfilment?:(carry_out|pickup|delivery), location?:str, pickup_store?:str, member_id?:int, member_phone?:str, "
       "address?:str, lat?:num, lon?:num, contact_phone?:str, note?:str, coupon?:str, tenders?:[Tender]"),
     A("201 Order")},
    {"GET", "/v1/orders", api_orders_list, STAFF | CHAN | MEMB, 0,
     "Orders, newest first: by status, channel, store or region, fulfilment, day (the store's local day), member, "
     "or a search q by order number, phone or pickup code; next_cursor pages on",
     NULL,
     Q("status?:(placed|paid|completed|cancelled|returned), channel?:" SALES_CHANNELS_DECL ", "
       "fulfilment?:(carry_out|pickup|delivery), store?:str, region?:str, day?:date, from?:str, to?:str, "
       "member_id?:int, q?:str, cursor?:int, limit?:int"),
     NONE,
     A("200 {items:[{id:int, channel:str, fulfilment:str, status:str, member_id:int|null, member_phone:str|null, "
       "location:str|null, pickup_store:str|null, total:int, paid:int, refunded:int, items:int, created_at:time}], "
       "next_cursor:int|null, time_zone:str}")},
    {"GET", "/v1/orders/{id}", api_orders_get, ANY, 0,
     "An order with lines, fulfilments, payments, refunds, routing decisions and timeline (to its member, the "
     "code of a pickup that waits for her)", NULL, NONE, NONE,
     A("200 Order")},
    {"GET", "/v1/orders/{id}/events", api_orders_events, ANY, 0,
     "Timeline events after a number; with wait=S, long-poll until one arrives", NULL, Q("after?:int, wait?:int"),
     NONE, A("200 OrderEvents")},
    {"POST", "/v1/orders/{id}/payments", api_orders_pay, STAFF | CHAN | MEMB, IDEM,
     "Pay with cash, bank card or points (split across tenders)", NULL, NONE,
     B("tenders:[Tender], location?:str, reason?:str"), A("200 Order")},
    {"POST", "/v1/orders/{id}/payments/gateway", api_orders_pay_gateway, STAFF | CHAN | MEMB, IDEM,
     "Pay through WeChat Pay or Alipay: a QR code, an app prepay id, or a scanned payment code", NULL, NONE,
     B("tender:(wechat_pay|alipay|scan), amount?:int, auth_code?:str, openid?:str, location?:str"), A("201 Order")},
    {"POST", "/v1/orders/{id}/cancel", api_orders_cancel, STAFF | CHAN | MEMB, IDEM,
     "Cancel: stock released, payments refunded, points reversed", NULL, NONE, B("location?:str, reason?:str"),
     A("200 Order")},
    {"GET", "/v1/orders/{id}/returnable", api_orders_returnable, STAFF | CHAN | MEMB, 0,
     "What can still come back of an order (for any store's staff and tills: lines only)", NULL, NONE, NONE,
     A("200 Returnable")},
    {"POST", "/v1/orders/{id}/returns", api_orders_return, STAFF | CHAN, IDEM,
     "Return items at a store of yours, whatever sold them: restocked there, refunded to the original tenders", NULL,
     NONE, B("lines:[{line:int, qty:int}], location?:str, reason?:str"), A("201 Order|Returnable")},
    {"POST", "/v1/fulfilments/{id}/pick", api_ful_pick, STAFF | CHAN, IDEM, "The items are picked", NULL, NONE, NONE,
     A("200 Order")},
    {"POST", "/v1/fulfilments/{id}/ready", api_ful_ready, STAFF | CHAN, IDEM,
     "Ready for pickup: the customer gets a pickup code", NULL, NONE, NONE, A("200 Order")},
    {"POST", "/v1/fulfilments/{id}/handover", api_ful_handover, STAFF | CHAN, IDEM,
     "Hand a pickup over against the customer's code", NULL, NONE, B("code:str"), A("200 Order")},
    {"POST", "/v1/fulfilments/{id}/ship", api_ful_ship, STAFF | CHAN, IDEM,
     "Ship with carrier and tracking number (a transfer moves stock to the pickup store)", NULL, NONE,
     B("carrier?:str, tracking_no?:str"), A("200 Order")},
    {"POST", "/v1/fulfilments/{id}/deliver", api_ful_deliver, STAFF | CHAN, IDEM, "Delivered to the customer", NULL,
     NONE, NONE, A("200 Order")},
    {"POST", "/v1/fulfilments/{id}/receive", api_ful_receive, STAFF | CHAN, IDEM,
     "A transfer arrived at the pickup store", NULL, NONE, NONE, A("200 Order")},
    {"POST", "/v1/fulfilments/{id}/reject", api_ful_reject, STAFF | CHAN, IDEM,
     "This store cannot serve it (damaged, not found): the order is re-routed", NULL, NONE, B("reason:str"),
     A("200 Order")},
    {"POST", "/v1/payments/{id}/sync", api_payments_sync, STAFF | CHAN | MEMB, 0,
     "Ask the gateway how a payment stands (when its notification is late)", NULL, NONE, NONE, A("200 Order")},
    {"POST", "/v1/gateways/wechat_pay/notify", api_gw_wechat_notify, PUBLIC, HTTP_RAW,
     "WeChat Pay API v3 notifications (signature verified, resource decrypted)", NULL, NONE,
     B("application/json {id:str, create_time:str, event_type:str, resource_type:str, summary:str, "
       "resource:{algorithm:(AEAD_AES_256_GCM), ciphertext:str, associated_data:str, nonce:str, original_type:str}}"),
     A("204 text/plain / 401,500 {code:(FAIL), message:str}")},
    {"POST", "/v1/gateways/alipay/notify", api_gw_alipay_notify, PUBLIC, HTTP_RAW,
     "Alipay asynchronous notifications (RSA2 verified)", NULL, NONE,
     B("application/x-www-form-urlencoded {out_trade_no:str, trade_no:str, trade_status:str, total_amount:str, "
       "app_id:str, sign:str, sign_type:str, notify_id:str, notify_time:str, buyer_id?:str, buyer_open_id?:str, "
       "*:str}"),
     A("200 text/plain")},
    {"POST", "/v1/messaging/{provider}/receipts", api_messaging_receipts, PUBLIC, HTTP_RAW,
     "Delivery receipts an SMS provider pushes (Aliyun SmsReport, Tencent status callback); the URL carries the "
     "provider's callback token", NULL, Q("token?:str"),
     B("application/json [{phone_number?:str, success?:bool, err_code?:str, err_msg?:str, biz_id?:str, out_id?:str, "
       "report_time?:str, mobile?:str, nationcode?:str, report_status?:str, errmsg?:str, description?:str, sid?:str, "
       "user_receive_time?:str, *:str}]"),
     A("200 {code?:int, msg?:str, result?:int, errmsg?:str}")},
    {"POST", "/v1/messaging/{provider}/replies", api_messaging_replies, PUBLIC, HTTP_RAW,
     "SMS replies an SMS provider pushes (Aliyun SmsUp, Tencent reply callback), taken in by the service desk; the "
     "URL carries the provider's callback token", NULL, Q("token?:str"),
     B("application/json [{phone_number?:str, content?:str, send_time?:str, sequence_id?:int, mobile?:str, "
       "nationcode?:str, text?:str, time?:int, *:str}]"),
     A("200 {code?:int, msg?:str, result?:int, errmsg?:str}")},
    {"GET", "/v1/messaging/wechat_oa/callback", api_wechat_verify, PUBLIC, 0,
     "WeChat's check of the Official Account's server URL: echostr back when signed with the account's token", NULL,
     Q("signature:str, timestamp:str, nonce:str, echostr:str"), NONE, A("200 text/plain")},
    {"POST", "/v1/messaging/wechat_oa/callback", api_wechat_callback, PUBLIC, HTTP_RAW,
     "A follower's message or an event the Official Account pushes (signed; encrypted in safe mode): messages reach "
     "the service desk, a template message's TEMPLATESENDJOBFINISH is its receipt", NULL,
     Q("signature:str, timestamp:str, nonce:str, openid?:str, encrypt_type?:str, msg_signature?:str"),
     B("text/xml str"), A("200 text/plain")},
    {"POST", "/v1/desk/calls", api_desk_calls, PUBLIC, HTTP_RAW,
     "A call the call centre logs (HMAC-SHA256 over \"TIMESTAMP\\nBODY\", headers X-O2O-Timestamp and X-O2O-Signature): "
     "it joins the customer's conversation by phone, once per call id", NULL, NONE,
     B("application/json {call_id:str, direction:(inbound|outbound), customer:str, started_at:time, duration_s:int, "
       "recording_url?:str, summary?:str, agent?:str}"),
     A("200 {conversation_id:int, message_id:int, member_id:int|null, duplicate:bool}")},
    {"POST", "/v1/carriers/{name}/events", api_carrier_events, PUBLIC, HTTP_RAW,
     "Tracking events pushed by a carrier (HMAC-signed); delivered completes the shipment", NULL, NONE,
     B("application/json {tracking_no:str, events:[{time:time, "
       "status:(picked_up|in_transit|out_for_delivery|delivered|exception), location?:str, description?:str}]}"), A("200 {ok:bool, known:bool, new_events:int}")},
    {"POST", "/v1/gateways/sweep", api_payments_sweep_now, OWNER, 0,
     "Send pending gateway refunds and ask about late payments now", NULL, NONE, NONE, A("200 {handled:int}")},
    {"GET", "/v1/settlements", api_settlements_get, MGR | ROLE_SERVICE_AGENT, 0,
     "A store's day: payments and refunds by tender, reconciled with the gateways, mismatches", NULL,
     Q("location?:str, date?:date"), NONE, A("200 Settlement")},
    {"GET", "/v1/routing/capacity/{code}", api_capacity_get, STAFF, 0,
     "A location's daily capacity for online fulfilments and today's use", NULL, NONE, NONE, A("200 Capacity")},
    {"PUT", "/v1/routing/capacity/{code}", api_capacity_put, MGR, 0,
     "Set a location's daily capacity for online fulfilments (0 = unlimited)", NULL, NONE, B("daily_capacity:int"),
     A("200 Capacity")},
    {"GET", "/r/{token}", api_receipt_page, PUBLIC, 0, "The e-receipt page a till receipt's QR code opens", NULL, NONE,
     NONE, A("200 text/html")},
    {"GET", "/r/{token}/qr.svg", api_receipt_qr_svg, PUBLIC, 0, "The receipt's claim QR code as SVG", NULL, NONE, NONE,
     A("200 image/svg+xml")},
    {"GET", "/receipt.js", api_receipt_script, PUBLIC, 0,
     "The receipt page's script: sign in by phone code and claim the receipt", NULL, NONE, NONE,
     A("200 application/javascript")},
    {"GET", "/r/{token}/qr.png", api_receipt_qr_png, PUBLIC, 0, "The receipt's claim QR code as PNG", NULL, NONE, NONE,
     A("200 image/png")},
    {"POST", "/v1/receipts/claim", api_receipts_claim, MEMB, IDEM,
     "Claim a till receipt: the sale becomes hers and its points are credited (once)", NULL, NONE, B("token:str"),
     A("200 Order")},
    {"POST", "/v1/coupons", api_coupons_create, OWNER, IDEM, "Issue a coupon to a member or to anyone", NULL, NONE,
     B("kind:(percent|amount), value:int, code?:str, member_id?:int, min_spend?:int, valid_from?:time|int, "
       "valid_days?:int, reason?:str"),
     A("201 Coupon")},
    {"GET", "/v1/members/{id}/coupons", api_member_coupons, ANY, 0, "A member's coupons", NULL, NONE, NONE,
     A("200 {items:[Coupon]}")},
    /* customer insight */
    {"GET", "/v1/members/{id}/tags", api_member_tags, STAFF | MEMB, 0,
     "A member's brand, category, price and life-stage tags, strongest first (weights fade with time)", NULL,
     Q("limit?:int"), NONE, A("200 {member_id:int, tags:[{tag:str, kind:str, weight:num, updated_at:time|null}]}")},
    {"GET", "/v1/members/{id}/profile", api_member_profile, STAFF | MEMB, 0,
     "A member's orders, spend, channels, favourite store, RFM scores and segment", NULL, NONE, NONE,
     A("200 Profile")},
    {"GET", "/v1/life-rules", api_life_rules_list, STAFF, 0, "The life-stage rules", NULL, NONE, NONE,
     A("200 {rules:[LifeRule]}")},
    {"PUT", "/v1/life-rules/{name}", api_life_rules_put, OWNER, 0,
     "Create or replace a life-stage rule; the history is evaluated again in the background", NULL, NONE,
     B("categories:[str], min_purchases:int, window_days:int"), A("200 LifeRule")},
    {"DELETE", "/v1/life-rules/{name}", api_life_rules_delete, OWNER, 0, "Delete a life-stage rule and its tags", NULL,
     NONE, NONE, A("200 {name:str, deleted:bool}")},
    {"GET", "/v1/members/{id}/recommendations", api_member_recommendations, STAFF | CHAN | MEMB, 0,
     "Recommendations for a member (context=login|checkout|store, store=CODE, limit), each with its reason", NULL,
     Q("context?:(login|checkout|store), store?:str, limit?:int"), NONE, A("200 Recommendations")},
    {"POST", "/v1/members/{id}/relations", api_relations_add, STAFF | CHAN | MEMB, IDEM,
     "Ask another member to be related (friend, referral, household); it holds once she accepts", NULL, NONE,
     B("member_id:int, kind?:(friend|referral|household)"),
     A("201 {member_id:int, related_id:int, kind:str, status:str}")},
    {"POST", "/v1/members/{id}/relations/{other}/accept", api_relations_accept, MEMB | CHAN, IDEM,
     "Accept another member's request: from then on what each buys may be a reason to recommend to the other",
     NULL, NONE, NONE, A("200 {member_id:int, related_id:int, status:str}")},
    {"GET", "/v1/members/{id}/relations", api_relations_list, STAFF | MEMB, 0, "The members related to her", NULL, NONE,
     NONE, A("200 {member_id:int, related:[Relation]}")},
    {"DELETE", "/v1/members/{id}/relations/{other}", api_relations_remove, STAFF | MEMB, 0, "Unrelate two members",
     NULL, NONE, NONE, A("200 {member_id:int, related_id:int, removed:bool}")},
    {"GET", "/v1/insight/rules", api_insight_rules, MGR, 0,
     "Frequently bought together: association rules of the paid orders (supp, conf, minlen, maxlen, since, sort, limit)",
     NULL, Q("supp?:num, conf?:num, minlen?:int, maxlen?:int, limit?:int, since?:str, sort?:(lift|confidence|support)"),
     NONE, A("200 Rules")},
    {"GET", "/v1/insight/attribution", api_attribution, MGR, 0,
     "Recommendations shown, bought, rewarded with a coupon, coupons redeemed (from, to)", NULL,
     Q("from?:str, to?:str"), NONE, A("200 Attribution")},
    {"POST", "/v1/recommendations/rebuild", api_recommend_rebuild, OWNER, 0,
     "Rebuild the recommendation model now (it is rebuilt every --reco-every seconds anyway)", NULL, NONE, NONE,
     A("202 {rebuilding:bool, builds_so_far:int}")},
    {"GET", "/v1/stores/{code}/core-customers", api_store_core_customers, STAFF, 0,
     "A store's core customers: most spend there among those who bought there lately", NULL,
     Q("limit?:int, days?:int"), NONE, A("200 CoreCustomers")},

    /* behaviour analytics */
    {"GET", "/o2o.js", api_snippet, PUBLIC, 0,
     "The web snippet: records views, clicks and o2o.track() events and sends them to /v1/events", NULL, NONE, NONE,
     A("200 application/javascript")},
    {"POST", "/v1/events", api_events_create, PUBLIC, IDEM | HTTP_CORS,
     "Record up to 1,000 behaviour events (a device's, or a member's with her token or a channel key)", "events", NONE,
     B("events:[Event], channel?:str"), A("200 {received:int, stored:int, duplicates:int}")},
    {"POST", "/v1/analytics/funnel", api_funnel, MGR, 0,
     "A conversion funnel: steps (event name and property filters) within a window, by channel, store or day", NULL,
     NONE, B("steps:[FunnelStepIn], timezone?:str, window?:str|int, from?:str|int, to?:str|int, by?:(channel|store|day)"),
     A("200 Funnel")},
    {"GET", "/v1/analytics/paths", api_paths, MGR, 0,
     "The most frequent next and previous events around an event (event, from, to, gap, limit)", NULL,
     Q("event:str, from?:str, to?:str, gap?:str, limit?:int"), NONE, A("200 Paths")},

    /* in-store positioning */
    {"GET", "/v1/stores/{code}/zones", api_zones_list, STAFF, 0, "A store's zones and the brand or category of each",
     NULL, NONE, NONE, A("200 {store:str, zones:[Zone]}")},
    {"PUT", "/v1/stores/{code}/zones/{zone}", api_zones_put, MGR, 0,
     "Create or change a zone of a store (name, brand, category)", NULL, NONE,
     B("name?:str, brand?:str, category?:str"), A("200 Zone")},
    {"POST", "/v1/presence", api_presence_create, STAFF | CHAN, IDEM,
     "Record up to 1,000 sightings (device or member, store, zone, signal, time) from Wi-Fi probes or beacons", NULL,
     NONE, B("sightings:[Sighting]"),
     A("200 {received:int, stored:int, duplicates:int, messages_sent:int, messages_held:int}")},
    {"GET", "/v1/stores/{code}/presence", api_store_presence, MGR, 0,
     "Visits and dwell per zone and brand, routes, hourly footfall and the online-to-offline funnel (from, to)", NULL,
     Q("from?:str, to?:str, window?:str, routes?:int"), NONE, A("200 PresenceReport")},
    {"GET", "/v1/presence-rules", api_presence_rules_list, STAFF, 0, "Place-and-time message rules and their outcomes",
     NULL, NONE, NONE, A("200 {rules:[PresenceRule]}")},
    {"PUT", "/v1/presence-rules/{name}", api_presence_rules_put, OWNER, 0,
     "A member with tag T entering zone Z between hours H1 and H2 gets message M (capped per day)", NULL, NONE,
     B("tag:str, store:str, zone:str, from_hour:int, to_hour:int, message:str, per_day?:int"), A("200 PresenceRule")},
    {"DELETE", "/v1/presence-rules/{name}", api_presence_rules_delete, OWNER, 0, "Stop a place-and-time rule", NULL,
     NONE, NONE, A("200 {name:str, deleted:bool}")},

    /* reports */
    {"GET", "/v1/board", api_board, MGR, 0,
     "The today board of a store, a region or the chain (her own when none is named): sales by hour against the "
     "same weekday last week, orders by channel, returns, pickups, transfers, late deliveries, shelves running low",
     NULL, Q("store?:str, region?:str, as_of?:str"), NONE,
     A("200 {scope:{kind:(store|region|chain), code:str|null, name:str|null}, time_zone:str, as_of:time, "
       "today:{day:date, orders:int, sales:int, hourly_orders:[int], hourly_sales:[int]}, "
       "last_week:{day:date, orders:int, sales:int, whole_day_orders:int, whole_day_sales:int, hourly_orders:[int], "
       "hourly_sales:[int]}, channels:[{channel:str, orders:int, sales:int}], returns:{count:int, amount:int}, "
       "work:{pickups_to_prepare:int, pickups_waiting:int, pickups_overdue:int, transfers_to_ship:int, "
       "transfers_to_receive:int, deliveries_late:int}, "
       "low_stock:[{sku:str, name:str, location:str, available:int}]}")},
    /* the service desk */
    {"POST", "/v1/desk/messages", api_desk_receive, STAFF | CHAN | MEMB, IDEM,
     "A customer's message by a medium (email, sms, web_form, chat, wechat, weibo, phone, sdk, api): she is "
     "recognised by her identity (a member by her token) and her open conversation gets it, or a new one goes to one "
     "agent or the queue",
     NULL, NONE,
     B("medium:(email|sms|web_form|chat|wechat|weibo|phone|sdk|api), body:str, "
       "from_kind?:(phone|email|wechat_openid|wechat_unionid|weibo_id|device), from?:str, name?:str, topic?:str, "
       "store?:str"),
     A("201 {contact_id:int, member_id:int|null, conversation_id:int, message_id:int, agent_id:int|null, "
       "opened:bool}")},
    {"POST", "/v1/reviews", api_reviews_create, MEMB, IDEM,
     "Review a line you bought (rating 1-5, words, photos): published at once from the chain's threshold, held "
     "below it; a bad one alerts the store's managers and opens a service case with the order",
     NULL, NONE, B("order_id:int, line:int, rating:int, body?:str, photos?:[str]"), A("201 Review")},
    {"PATCH", "/v1/reviews/{id}", api_reviews_revise, MEMB, 0, "Revise your review (its rating, words or photos)",
     NULL, NONE, B("rating:int, body?:str, photos?:[str]"), A("200 Review")},
    {"GET", "/v1/reviews", api_reviews_list, MGR | ROLE_SERVICE_AGENT, 0,
     "Reviews of the stores in your scope, newest first, with what followed a bad one", NULL,
     Q("status?:(published|held|rejected), store?:str, product?:str, max_rating?:int, cursor?:int, limit?:int"), NONE,
     A("200 {items:[Review], next_cursor:int|null}")},
    {"POST", "/v1/reviews/{id}/moderate", api_reviews_moderate, MGR, 0, "Publish or reject a review", NULL, NONE,
     B("status:(published|rejected)"), A("200 Review")},
    {"POST", "/v1/reviews/{id}/reply", api_reviews_reply, MGR | ROLE_SERVICE_AGENT, 0, "The chain's public reply",
     NULL, NONE, B("text:str"), A("200 Review")},
    {"GET", "/v1/products/{code}/reviews", api_product_reviews, PUBLIC, 0,
     "A product's published reviews, newest first, with their count and average (reviewers by their initial)", NULL,
     Q("cursor?:int, limit?:int"), NONE,
     A("200 {product:str, count:int, average:num|null, items:[{id:int, rating:int, sku:str, body:str, "
       "photos:[str], reply:str|null, reviewer:str|null, created_at:time, verified_buyer:bool}], "
       "next_cursor:int|null}")},
    {"GET", "/v1/desk/inbox", api_desk_inbox, MGR | ROLE_SERVICE_AGENT, 0,
     "The conversations you hold and the queue, oldest first", NULL, NONE, NONE,
     A("200 {mine:[DeskConversation], queue:[DeskConversation]}")},
    {"GET", "/v1/desk/conversations/{id}", api_desk_conversation, MGR | ROLE_SERVICE_AGENT, 0,
     "A conversation: who she is (her member, her identities) and every message", NULL, NONE, NONE,
     A("200 DeskConversationFull")},
    {"POST", "/v1/desk/conversations/{id}/replies", api_desk_reply, MGR | ROLE_SERVICE_AGENT, IDEM,
     "Reply on the medium she last wrote by (SMS and e-mail leave through the outbox); from the queue, you take it",
     NULL, NONE, B("body:str"), A("201 {conversation_id:int, message_id:int, sent_to:str|null}")},
    {"GET", "/v1/desk/conversations/{id}/context", api_desk_context, MGR | ROLE_SERVICE_AGENT, 0,
     "Beside the conversation: the member she is and her latest orders (fulfilments, payments, timelines)", NULL,
     NONE, NONE, A("200 {conversation_id:int, member:Member, orders:[Order]}")},
    {"POST", "/v1/desk/conversations/{id}/resend-pickup", api_desk_resend_pickup, MGR | ROLE_SERVICE_AGENT, IDEM,
     "Say the code of her ready pickup again (by her medium); the order's timeline and the audit log say who",
     NULL, NONE, B("order_id:int"), A("200 {order_id:int, sent_to:str|null}")},
    {"POST", "/v1/desk/conversations/{id}/goodwill-coupon", api_desk_goodwill, MGR | ROLE_SERVICE_AGENT, IDEM,
     "A goodwill coupon for her, valid 30 days, within the chain's limits (managers: twice them); audited", NULL,
     NONE, B("kind:(amount|percent), value:int, reason?:str"),
     A("201 {code:str, kind:str, value:int, member_id:int, valid_until:time}")},
    {"POST", "/v1/desk/conversations/{id}/resolve", api_desk_resolve, MGR | ROLE_SERVICE_AGENT, IDEM,
     "Resolve it: your freed place takes the oldest conversation waiting", NULL, NONE, NONE,
     A("200 {conversation_id:int, served:int|null}")},
    {"POST", "/v1/desk/contacts/{id}/link", api_desk_link, MGR | ROLE_SERVICE_AGENT, IDEM,
     "The sender is this member: her identities and conversations join the member's (an open one's messages join "
     "hers)",
     NULL, NONE, B("member_id:int"), A("200 {contact_id:int, member_id:int}")},
    {"PUT", "/v1/desk/agents/me", api_desk_agent_put, MGR | ROLE_SERVICE_AGENT, 0,
     "Whether you take conversations, and how many at once", NULL, NONE, B("available:bool, cap:int"),
     A("200 {staff_id:int, available:bool, cap:int}")},
    {"GET", "/v1/reports/daily", api_reports_daily, MGR, 0,
     "A day of a store, a region or the chain (store=, region=, date=; format=json|csv|html|xlsx), within your scope",
     NULL, Q(SCOPE_Q ", date:date, " FORMAT_Q), NONE, A("200 DailyReport; " REPORT_FILES)},
    {"GET", "/v1/reports/monthly", api_reports_monthly, MGR, 0,
     "Revenue, orders, customers and best sellers per month (store=, region=, from=, to=; format=)", NULL,
     Q(SCOPE_Q ", from?:str, to?:str, " FORMAT_Q), NONE, A("200 MonthlyReport; " REPORT_FILES)},
    {"GET", "/v1/insight/demand", api_demand, OWNER, 0,
     "Demand for manufacturers: units per month by category x size x price band, trend, next-month forecasts and "
     "their backtest MAPE (from=, to=; format=json|csv|xlsx)", NULL, Q("from?:str, to?:str, " FORMAT_Q), NONE,
     A("200 DemandReport; text/csv; application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
    {"POST", "/v1/reports/run", api_reports_run, OWNER, 0,
     "Build the reports due now (stores past closing time, then regions and the chain); they are built anyway", NULL,
     NONE, B("as_of?:time|int"), A("200 {built:[{scope:str, code:str, date:date}]}")},
    {"GET", "/v1/report-subscriptions", api_report_subscriptions, MGR, 0, "Where your daily reports are delivered",
     NULL, NONE, NONE, A("200 {subscriptions:[ReportSubscription]}")},
    {"POST", "/v1/report-subscriptions", api_report_subscribe, MGR, IDEM,
     "Receive your scope's daily report at closing time by e-mail or webhook", NULL, NONE,
     B("email?:str, webhook?:str"), A("201 ReportSubscription")},
    {"DELETE", "/v1/report-subscriptions/{id}", api_report_unsubscribe, MGR, 0, "Stop a report subscription", NULL,
     NONE, NONE, A("200 {id:int, deleted:bool}")},
};

const struct http_route *app_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
