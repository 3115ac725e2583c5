// The REST calls the join page makes, with the server's error shape turned
// into one exception type.

/** A refused or failed request: `code`, `reason` and `message` as the server gave them. */
export class ApiError extends Error {
  constructor(code, message, { status = 0, reason = null, details = {} } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.reason = reason ?? code;
    this.status = status;
    this.details = details;
  }
}

/**
 * The hearing and participant a join token stands for:
 * `{hearing, participant, expires_at}`. Throws ApiError.
 */
export async function fetchSession(token) {
  const body = await apiRequest(token, "GET", "/api/v1/session");
  if (!body?.hearing || !body?.participant) {
    throw new ApiError("http_error", "");
  }
  return body;
}

/**
 * One REST call with the join token: resolves to the JSON answer, or to a Blob when
 * `blob` is set (downloads). Throws ApiError with the server's refusal.
 */
export async function apiRequest(token, method, path, { json, blob = false } = {}) {
  const headers = { Authorization: `Bearer ${token}` };
  if (!blob) {
    headers.Accept = "application/json";
  }
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError("network_error", "", { details: { cause: String(e) } });
  }
  if (response.ok && blob) {
    return response.blob();
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A proxy's HTML error page, or an empty body: handled below.
  }
  if (response.ok && body !== null) {
    return body;
  }
  const error = body?.error;
  throw new ApiError(error?.code ?? "http_error", error?.message ?? "", {
    status: response.status,
    reason: error?.reason ?? null,
    details: error?.details ?? {},
  });
}

/** The join token from `#token=...`, taken out of the visible URL (and history). */
export function takeToken() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token");
  if (params.has("token")) {
    history.replaceState(history.state, "", location.pathname + location.search);
  }
  return token || null;
}
