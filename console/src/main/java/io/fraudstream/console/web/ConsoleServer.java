package io.fraudstream.console.web;

import io.fraudstream.avro.LabelValue;
import io.fraudstream.console.auth.Authenticator;
import io.fraudstream.console.auth.Role;
import io.fraudstream.console.auth.User;
import io.fraudstream.console.db.AlertStore;
import io.fraudstream.console.db.LabelSink;
import io.fraudstream.console.model.ModelService;
import io.fraudstream.console.model.ShadowComparison;
import io.fraudstream.console.ops.OpsService;
import io.fraudstream.console.rules.RulesService;
import io.fraudstream.trainer.ModelRegistry;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import io.javalin.security.RouteRole;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's web server: pages (plain HTML and JavaScript from the classpath, no build step) and the JSON API
 * they call. Security is enforced here, on the server, for every request:
 * <ul>
 *   <li>sign-in through an {@link Authenticator}; the session id changes at sign-in (no fixation); cookies are
 *       HttpOnly and SameSite=Strict;</li>
 *   <li>every route names the roles allowed ({@link Role}); anything else is 403;</li>
 *   <li>every state-changing request (POST, PUT, PATCH, DELETE), sign-in included, must carry the session's CSRF token
 *       (header {@code X-CSRF-Token} or form field {@code _csrf}); without it: 403;</li>
 *   <li>responses identify cards by token only (the store refuses alerts carrying card numbers).</li>
 * </ul>
 */
public final class ConsoleServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    static final String USER = "user";
    static final String CSRF = "csrf";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Set<String> PUBLIC = Set.of("/login", "/api/csrf", "/health");
    private static final RouteRole[] ANYONE = {Role.ANALYST, Role.MODEL_OWNER};
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final AlertStore store;
    private final LabelSink labels;
    private final Authenticator authenticator;
    private final ModelService models;
    private final ShadowComparison comparison;
    private final OpsService ops;
    private final RulesService rules;
    private final Javalin app;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentLinkedQueue<SseClient> streams = new ConcurrentLinkedQueue<>();

    public ConsoleServer(AlertStore store, LabelSink labels, Authenticator authenticator, ModelService models,
            ShadowComparison comparison, OpsService ops) {
        this(store, labels, authenticator, models, comparison, ops, null);
    }

    /** {@code rules} null: no rule authoring (the rules page says so). */
    public ConsoleServer(AlertStore store, LabelSink labels, Authenticator authenticator, ModelService models,
            ShadowComparison comparison, OpsService ops, RulesService rules) {
        this.rules = rules;
        this.store = store;
        this.labels = labels;
        this.authenticator = authenticator;
        this.models = models;
        this.comparison = comparison;
        this.ops = ops;
        this.app = Javalin.create(config -> {
            config.staticFiles.add("/web/static", Location.CLASSPATH);
            config.jetty.modifyServletContextHandler(h -> {
                h.getSessionHandler().setHttpOnly(true);
                h.getSessionHandler().setSameSite(org.eclipse.jetty.http.HttpCookie.SameSite.STRICT);
                h.getSessionHandler().setMaxInactiveInterval(8 * 3600);
            });
            routes(config.routes);
        });
    }

    public ConsoleServer start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    /** Tells every open queue page that a new alert was stored (server-sent event "alert"). */
    public void alertStored(String transactionId) {
        for (SseClient c : streams) {
            if (c.terminated()) {
                streams.remove(c);
            } else {
                c.sendEvent("alert", transactionId);
            }
        }
    }

    private void routes(io.javalin.config.RoutesConfig r) {
        r.before(this::securityHeaders);
        r.before(this::authenticate);
        r.before(this::csrf);
        r.beforeMatched(this::authorize);

        r.get("/health", ctx -> ctx.result("ok"));
        r.get("/api/csrf", ctx -> ctx.json(Map.of("token", csrfToken(ctx))));
        r.get("/login", ctx -> page(ctx, "login.html"));
        r.post("/login", this::login);
        r.post("/logout", ctx -> {
            ctx.req().getSession().invalidate();
            ctx.json(Map.of("ok", true));
        }, ANYONE);
        r.get("/api/me", ctx -> {
            User u = user(ctx);
            ctx.json(Map.of("id", u.id(), "role", u.role().name(), "csrf", csrfToken(ctx)));
        }, ANYONE);

        // Pages: everyone signed in may read them; what a role may do is decided by the API (and the page
        // renders no control a role may not use).
        r.get("/", ctx -> page(ctx, "queue.html"), ANYONE);
        r.get("/alert", ctx -> page(ctx, "alert.html"), ANYONE);
        r.get("/model", ctx -> page(ctx, "model.html"), ANYONE);
        r.get("/ops", ctx -> page(ctx, "ops.html"), ANYONE);
        r.get("/audit", ctx -> page(ctx, "audit.html"), ANYONE);
        r.get("/rules", ctx -> page(ctx, "rules.html"), ANYONE);

        r.get("/api/alerts", this::queue, ANYONE);
        r.sse("/api/alerts/stream", client -> {
            client.keepAlive();
            client.onClose(() -> streams.remove(client));
            streams.add(client);
        });
        r.get("/api/alerts/{id}", ctx -> {
            var d = store.detail(ctx.pathParam("id"));
            if (d.isEmpty()) {
                ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no such alert"));
            } else {
                ctx.json(d.get());
            }
        }, ANYONE);
        r.post("/api/alerts/{id}/assign", ctx -> {
            boolean ok = store.assign(ctx.pathParam("id"), user(ctx).id());
            ctx.status(ok ? HttpStatus.OK : HttpStatus.CONFLICT).json(Map.of("ok", ok));
        }, Role.ANALYST);
        r.post("/api/alerts/{id}/label", this::label, Role.ANALYST);
        r.post("/api/alerts/bulk-close", this::bulkClose, Role.ANALYST);
        r.get("/api/audit", ctx -> ctx.json(store.audit(200)), ANYONE);

        r.get("/api/model", ctx -> {
            Map<String, Object> m = new LinkedHashMap<>(models.status(50));
            m.put("comparison", comparison.snapshot());
            m.put("canChange", user(ctx).role() == Role.MODEL_OWNER);
            ctx.json(m);
        }, ANYONE);
        r.post("/api/model/promote", ctx -> {
            String version = param(ctx, "version");
            if (version == null || version.isBlank()) {
                ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", "version is required"));
                return;
            }
            requireConfirmed(ctx);
            try {
                var d = models.promote(version.trim(), user(ctx).id());
                ctx.json(Map.of("ok", true, "champion", d.getModelVersion()));
            } catch (IllegalArgumentException | io.fraudstream.model.ModelRejectedException e) {
                ctx.status(HttpStatus.UNPROCESSABLE_CONTENT).json(Map.of("error", String.valueOf(e.getMessage())));
            }
        }, Role.MODEL_OWNER);
        r.post("/api/model/rollback", ctx -> {
            requireConfirmed(ctx);
            ModelRegistry.Rollback rb = models.rollback(user(ctx).id());
            ctx.json(Map.of("ok", !rb.action().equals("NOTHING"), "action", rb.action(), "version",
                    rb.descriptor().map(d -> d.getModelVersion()).orElse("")));
        }, Role.MODEL_OWNER);
        r.get("/api/ops", ctx -> ctx.json(ops == null ? Map.of() : ops.snapshot()), ANYONE);
        ruleRoutes(r);

        r.exception(IllegalStateException.class, (e, ctx) ->
                ctx.status(HttpStatus.CONFLICT).json(Map.of("error", String.valueOf(e.getMessage()))));
        r.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            ctx.status(HttpStatus.INTERNAL_SERVER_ERROR).json(Map.of("error", "internal error; see the console's log"));
        });
    }

    /**
     * Rule authoring: any signed-in user reads, drafts (validated by the rule compiler: 400 with its message) and
     * backtests; only a model owner activates or disables (403 otherwise), with confirm=true, CSRF-checked like every
     * POST. {@link RulesService} audits each action.
     */
    private void ruleRoutes(io.javalin.config.RoutesConfig r) {
        r.get("/api/rules", ctx -> {
            Map<String, Object> m = new LinkedHashMap<>(requireRules().status());
            m.put("canChange", user(ctx).role() == Role.MODEL_OWNER);
            ctx.json(m);
        }, ANYONE);
        r.post("/api/rules/drafts", ctx -> {
            try {
                ctx.json(requireRules().saveDraft(ruleSetParam(ctx), user(ctx).id()));
            } catch (RulesService.InvalidRuleSetException e) {
                ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", String.valueOf(e.getMessage())));
            }
        }, ANYONE);
        r.get("/api/rules/drafts/{id}", ctx -> {
            var d = requireRules().draft(idParam(ctx));
            if (d.isEmpty()) {
                ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no such draft"));
            } else {
                ctx.json(d.get());
            }
        }, ANYONE);
        r.post("/api/rules/drafts/{id}/activate", ctx -> {
            requireConfirmed(ctx);
            try {
                var set = requireRules().activate(idParam(ctx), user(ctx).id());
                ctx.json(Map.of("ok", true, "name", set.getName(), "version", set.getVersion()));
            } catch (io.fraudstream.rules.RuleSets.RefusedException | IllegalArgumentException e) {
                ctx.status(HttpStatus.UNPROCESSABLE_CONTENT).json(Map.of("error", String.valueOf(e.getMessage())));
            }
        }, Role.MODEL_OWNER);
        r.post("/api/rules/disable", ctx -> {
            requireConfirmed(ctx);
            String rule = param(ctx, "rule");
            boolean all = "true".equals(param(ctx, "all"));
            if ((rule == null || rule.isBlank()) == !all) {
                ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", "give either rule or all=true"));
                return;
            }
            try {
                var set = requireRules().disable(all ? null : rule.trim(), user(ctx).id());
                ctx.json(Map.of("ok", true, "name", set.getName(), "version", set.getVersion()));
            } catch (io.fraudstream.rules.RuleSets.RefusedException | IllegalArgumentException e) {
                ctx.status(HttpStatus.UNPROCESSABLE_CONTENT).json(Map.of("error", String.valueOf(e.getMessage())));
            }
        }, Role.MODEL_OWNER);
        r.post("/api/rules/drafts/{id}/backtest", ctx -> {
            try {
                var job = requireRules().startBacktest(idParam(ctx), param(ctx, "input"), param(ctx, "from"),
                        param(ctx, "to"), user(ctx).id());
                ctx.status(HttpStatus.ACCEPTED).json(job);
            } catch (IllegalArgumentException e) {
                ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", String.valueOf(e.getMessage())));
            }
        }, ANYONE);
        r.get("/api/rules/backtests/{job}", ctx -> {
            var job = requireRules().job(ctx.pathParam("job"));
            if (job.isEmpty()) {
                ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no such backtest"));
            } else {
                ctx.json(job.get());
            }
        }, ANYONE);
    }

    private RulesService requireRules() {
        if (rules == null) {
            throw new IllegalStateException("rule authoring is not available in this console");
        }
        return rules;
    }

    private static long idParam(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new io.javalin.http.BadRequestResponse("id must be an integer");
        }
    }

    /** The candidate set: {@code set} in a JSON body, as the rule-set file's text or as an object. */
    private static String ruleSetParam(Context ctx) throws Exception {
        if (!isJson(ctx)) {
            throw new io.javalin.http.BadRequestResponse("send the rule set as JSON: {\"set\": {...}}");
        }
        param(ctx, "set"); // parses and caches the body
        Map<String, Object> body = ctx.attribute("jsonBody");
        Object set = body.get("set");
        if (set == null) {
            throw new io.javalin.http.BadRequestResponse("set is required");
        }
        return set instanceof String str ? str : JSON.writeValueAsString(set);
    }

    private void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
    }

    private void authenticate(Context ctx) {
        String path = ctx.path();
        if (PUBLIC.contains(path) || path.startsWith("/static/") || path.endsWith(".css") || path.endsWith(".js")) {
            return;
        }
        if (ctx.sessionAttribute(USER) == null) {
            if (path.startsWith("/api/")) {
                throw new UnauthorizedResponse("sign in first");
            }
            ctx.redirect("/login");
            ctx.skipRemainingHandlers();
        }
    }

    private void csrf(Context ctx) {
        HandlerType m = ctx.method();
        if (m == HandlerType.GET || m == HandlerType.HEAD || m == HandlerType.OPTIONS) {
            return;
        }
        String expected = ctx.sessionAttribute(CSRF);
        String given = ctx.header(CSRF_HEADER);
        if (given == null && isForm(ctx)) {
            given = ctx.formParam("_csrf");
        }
        if (expected == null || given == null || !MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            throw new ForbiddenResponse("missing or wrong CSRF token");
        }
    }

    private void authorize(Context ctx) {
        Set<RouteRole> allowed = ctx.routeRoles();
        if (allowed.isEmpty()) {
            return; // public route (sign-in, health) or a static file
        }
        User u = ctx.sessionAttribute(USER);
        if (u == null) {
            throw new UnauthorizedResponse("sign in first");
        }
        if (!allowed.contains(u.role())) {
            throw new ForbiddenResponse(u.role() + " may not " + ctx.method() + " " + ctx.path());
        }
    }

    private void login(Context ctx) {
        String username = param(ctx, "username");
        String password = param(ctx, "password");
        var user = authenticator.authenticate(username, password == null ? null : password.toCharArray());
        if (user.isEmpty()) {
            LOG.info("Failed sign-in for '{}'", username == null ? "" : username.replaceAll("[^A-Za-z0-9._@-]", "?"));
            ctx.status(HttpStatus.UNAUTHORIZED).json(Map.of("error", "wrong username or password"));
            return;
        }
        // New session id at sign-in (no session fixation), and a new CSRF token with it.
        ctx.req().getSession().invalidate();
        ctx.req().getSession(true);
        ctx.sessionAttribute(USER, user.get());
        String token = newToken();
        ctx.sessionAttribute(CSRF, token);
        LOG.info("{} signed in as {}", user.get().id(), user.get().role());
        ctx.json(Map.of("ok", true, "role", user.get().role().name(), "csrf", token));
    }

    private void queue(Context ctx) throws Exception {
        AlertStore.Filter f = new AlertStore.Filter(
                enumParam(ctx, "status"), dbl(ctx, "minScore"), dbl(ctx, "maxScore"), lng(ctx, "from"),
                lng(ctx, "to"), blankToNull(ctx.queryParam("merchant")), blankToNull(ctx.queryParam("model")));
        AlertStore.Sort sort = "score".equalsIgnoreCase(ctx.queryParam("sort")) ? AlertStore.Sort.SCORE
                : AlertStore.Sort.NEWEST;
        int limit = (int) (long) orDefault(lng(ctx, "limit"), 50L);
        int offset = (int) (long) orDefault(lng(ctx, "offset"), 0L);
        ctx.json(Map.of("alerts", store.queue(f, sort, limit, offset), "counts", store.countsByStatus()));
    }

    private void label(Context ctx) throws Exception {
        String v = param(ctx, "label");
        LabelValue value;
        try {
            value = LabelValue.valueOf(v == null ? "" : v.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", "label must be FRAUD or GENUINE"));
            return;
        }
        var out = store.label(ctx.pathParam("id"), value, param(ctx, "note"), user(ctx).id(), labels, "LABEL");
        if (out.isEmpty()) {
            ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no such alert"));
        } else {
            ctx.json(Map.of("ok", true, "label", value.name(), "reportedBy", user(ctx).id()));
        }
    }

    private void bulkClose(Context ctx) throws Exception {
        List<String> ids = new ArrayList<>();
        if (isJson(ctx)) {
            Object raw = ctx.bodyAsClass(Map.class).get("ids");
            if (raw instanceof List<?> l) {
                l.forEach(o -> ids.add(String.valueOf(o)));
            }
        } else {
            ids.addAll(ctx.formParams("ids"));
        }
        if (ids.isEmpty() || ids.size() > 500) {
            ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", "ids: 1 to 500 alert ids"));
            return;
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (String id : ids) {
            try {
                result.put(id, store.label(id, LabelValue.GENUINE, "bulk close", user(ctx).id(), labels,
                        "BULK_CLOSE").isPresent() ? "closed" : "not found");
            } catch (IllegalStateException e) {
                result.put(id, "already labelled");
            }
        }
        ctx.json(Map.of("ok", true, "results", result));
    }

    /** Promotion and rollback need an explicit confirmation (the page asks before sending it). */
    private static void requireConfirmed(Context ctx) {
        if (!"true".equals(param(ctx, "confirm"))) {
            throw new io.javalin.http.BadRequestResponse("confirm=true is required");
        }
    }

    private String csrfToken(Context ctx) {
        String t = ctx.sessionAttribute(CSRF);
        if (t == null) {
            t = newToken();
            ctx.sessionAttribute(CSRF, t);
        }
        return t;
    }

    private String newToken() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static User user(Context ctx) {
        User u = ctx.sessionAttribute(USER);
        if (u == null) {
            throw new UnauthorizedResponse("sign in first");
        }
        return u;
    }

    private static void page(Context ctx, String name) throws IOException {
        try (InputStream in = ConsoleServer.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                ctx.status(HttpStatus.NOT_FOUND);
                return;
            }
            ctx.html(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static boolean isJson(Context ctx) {
        String ct = ctx.contentType();
        return ct != null && ct.startsWith("application/json");
    }

    private static boolean isForm(Context ctx) {
        String ct = ctx.contentType();
        return ct != null && (ct.startsWith("application/x-www-form-urlencoded") || ct.startsWith("multipart/form-data"));
    }

    /** A request parameter from a JSON body or a form. */
    @SuppressWarnings("unchecked")
    private static String param(Context ctx, String name) {
        if (isJson(ctx)) {
            Map<String, Object> body = ctx.attribute("jsonBody");
            if (body == null) {
                String raw = ctx.body();
                body = raw.isBlank() ? Map.of() : ctx.bodyAsClass(Map.class);
                ctx.attribute("jsonBody", body);
            }
            Object v = body.get(name);
            return v == null ? null : String.valueOf(v);
        }
        return isForm(ctx) ? ctx.formParam(name) : ctx.queryParam(name);
    }

    private static AlertStore.Status enumParam(Context ctx, String name) {
        String v = blankToNull(ctx.queryParam(name));
        if (v == null) {
            return null;
        }
        try {
            return AlertStore.Status.valueOf(v.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new io.javalin.http.BadRequestResponse(name + " must be NEW, IN_REVIEW or CLOSED");
        }
    }

    private static Double dbl(Context ctx, String name) {
        String v = blankToNull(ctx.queryParam(name));
        try {
            return v == null ? null : Double.valueOf(v);
        } catch (NumberFormatException e) {
            throw new io.javalin.http.BadRequestResponse(name + " must be a number");
        }
    }

    private static Long lng(Context ctx, String name) {
        String v = blankToNull(ctx.queryParam(name));
        try {
            return v == null ? null : Long.valueOf(v);
        } catch (NumberFormatException e) {
            throw new io.javalin.http.BadRequestResponse(name + " must be an integer");
        }
    }

    private static <T> T orDefault(T v, T d) {
        return v == null ? d : v;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @Override
    public void close() {
        streams.forEach(SseClient::close);
        app.stop();
    }
}
