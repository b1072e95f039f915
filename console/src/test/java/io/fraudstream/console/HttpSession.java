package io.fraudstream.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** One user's HTTP session against the console (cookies kept), as a browser's JavaScript would use the API. */
final class HttpSession {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    String csrf;

    HttpSession(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    static HttpSession login(String base, String user, String password) throws Exception {
        HttpSession s = new HttpSession(base);
        s.csrf = (String) JSON.readValue(s.get("/api/csrf").body(), Map.class).get("token");
        HttpResponse<String> r = s.postJson("/login", Map.of("username", user, "password", password));
        if (r.statusCode() != 200) {
            throw new AssertionError("login of " + user + " answered " + r.statusCode() + ": " + r.body());
        }
        s.csrf = (String) JSON.readValue(r.body(), Map.class).get("csrf");
        return s;
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String path, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A plain HTML form post, without any CSRF token: what a forged cross-site form sends. */
    HttpResponse<String> postFormWithoutToken(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> r) throws Exception {
        return JSON.readValue(r.body(), Map.class);
    }
}
