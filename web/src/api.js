// The REST calls the join page makes, with the server's error shape turned
// into one exception type.

/** A refused or failed request: `code` and `message` as the server gave them. */
export class ApiError extends Error {
  constructor(code, message, { status = 0, details = {} } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/**
 * The hearing and participant a join token stands for:
 * `{hearing, participant, expires_at}`. Throws ApiError.
 */
export async function fetchSession(token) {
  let response;
  try {
    response = await fetch("/api/v1/session", {
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError("network_error", "", { details: { cause: String(e) } });
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A proxy's HTML error page, or an empty body: handled below.
  }
  if (response.ok && body && body.hearing && body.participant) {
    return body;
  }
  const error = body?.error;
  throw new ApiError(error?.code ?? "http_error", error?.message ?? "", {
    status: response.status,
    details: error?.details ?? {},
  });
}
