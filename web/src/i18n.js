// Every string the join page shows, per language. Server messages (errors,
// session endings) arrive already worded and are shown as they come.

const en = {
  "page.title": "Join hearing",
  "page.heading": "Join hearing",
  "page.loading": "Loading your hearing…",
  "noscript": "This page needs JavaScript to connect you to the hearing.",

  "token.missing": "This page must be opened from your join link.",
  "token.missingHelp":
    "Use the link you were sent by the court. If it does not work, contact the court clerk.",

  "session.unreachable":
    "The hearing server could not be reached. Check your internet connection and open your join link again.",
  "session.failed": "Your join link could not be checked. Open your join link again or contact the court clerk.",

  "kind.hearing": "Court hearing",
  "kind.mediation": "Mediation",

  "details.heading": "Hearing details",
  "details.court": "Court",
  "details.caseNumber": "Case number",
  "details.scheduledStart": "Scheduled start",
  "details.notScheduled": "Not set",
  "details.state": "Status",
  "details.you": "You",
  "details.role": "Your role",

  "role.judge": "Judge",
  "role.mediator": "Mediator",
  "role.clerk": "Clerk",
  "role.party": "Party",
  "role.counsel": "Counsel",
  "role.witness": "Witness",
  "role.interpreter": "Interpreter",
  "role.observer": "Observer",

  "state.scheduled": "Scheduled",
  "state.open": "Open – waiting for the judge",
  "state.in_session": "In session",
  "state.recess": "In recess",
  "state.adjourned": "Adjourned",
  "state.cancelled": "Cancelled",

  "preview.heading": "Your camera and microphone",
  "preview.intro": "Check that you can be seen and heard before you join.",
  "preview.videoLabel": "Preview of your camera",
  "preview.micLevel": "Microphone level",
  "preview.micHint": "Speak: the bar should move.",
  "preview.requesting": "Asking your browser for the camera and microphone…",
  "preview.ready": "Your camera and microphone are working.",
  "preview.audioOnly": "No camera could be used. You can still join with your microphone only.",
  "preview.denied":
    "Your browser is blocking the camera and microphone. To allow them, select the camera or lock icon next to the web address, choose Allow for the camera and microphone, then select Try again.",
  "preview.notFound":
    "No camera or microphone was found. Connect one, then select Try again.",
  "preview.inUse":
    "Your camera or microphone is being used by another program. Close that program, then select Try again.",
  "preview.insecure":
    "This browser only allows the camera and microphone on a secure (https) page. Contact the court clerk.",
  "preview.failed": "Your camera and microphone could not be started. Select Try again.",
  "preview.canStillJoin": "You can still join the hearing without them.",
  "preview.retry": "Try again",
  "preview.observer": "As an observer you will not be seen or heard, so no camera or microphone is needed.",

  "join.heading": "Join",
  "join.button": "Join hearing",
  "join.joining": "Joining…",
  "join.leave": "Leave hearing",
  "join.leaving": "Leaving…",
  "join.joined": "You have joined the hearing.",
  "join.left": "You have left the hearing.",
  "join.timeout": "The server did not answer. Please try again.",
  "join.ended": "Your session has ended.",

  "connection.label": "Connection",
  "connection.connecting": "Connecting…",
  "connection.connected": "Connected",
  "connection.reconnecting": "Disconnected – reconnecting…",
  "connection.disconnected": "Disconnected",
  "connection.refused": "The hearing server refused the connection.",

  "roster.heading": "Participants",
  "grid.heading": "In the hearing",
  "media.publishFailed": "Your camera and microphone could not be sent to the hearing.",
  "roster.empty": "Nobody else is connected yet.",
  "roster.you": "(you)",
  "presence.admitted": "In the hearing",
  "presence.lobby": "Waiting in the lobby",
  "join.lobby": "You are in the lobby. The court will let you into the hearing shortly.",
  "presence.connected": "Checking devices",
};

/** @type {typeof en} */
const zh = {
  "page.title": "加入庭审",
  "page.heading": "加入庭审",
  "page.loading": "正在加载庭审信息…",
  "noscript": "此页面需要启用 JavaScript 才能让您加入庭审。",

  "token.missing": "请通过您的参加链接打开此页面。",
  "token.missingHelp": "请使用法院发送给您的链接。如果链接无效，请联系书记员。",

  "session.unreachable": "无法连接庭审服务器。请检查网络连接，然后重新打开您的参加链接。",
  "session.failed": "无法验证您的参加链接。请重新打开参加链接或联系书记员。",

  "kind.hearing": "庭审",
  "kind.mediation": "调解",

  "details.heading": "庭审信息",
  "details.court": "法院",
  "details.caseNumber": "案号",
  "details.scheduledStart": "预定开始时间",
  "details.notScheduled": "未定",
  "details.state": "状态",
  "details.you": "您",
  "details.role": "您的身份",

  "role.judge": "法官",
  "role.mediator": "调解员",
  "role.clerk": "书记员",
  "role.party": "当事人",
  "role.counsel": "代理人",
  "role.witness": "证人",
  "role.interpreter": "翻译",
  "role.observer": "旁听人员",

  "state.scheduled": "已排期",
  "state.open": "已开放 – 等待法官",
  "state.in_session": "正在开庭",
  "state.recess": "休庭中",
  "state.adjourned": "已闭庭",
  "state.cancelled": "已取消",

  "preview.heading": "您的摄像头和麦克风",
  "preview.intro": "加入前，请确认别人能看到并听到您。",
  "preview.videoLabel": "摄像头预览",
  "preview.micLevel": "麦克风音量",
  "preview.micHint": "请说话：音量条应当随之变化。",
  "preview.requesting": "正在请求使用摄像头和麦克风…",
  "preview.ready": "您的摄像头和麦克风工作正常。",
  "preview.audioOnly": "无法使用摄像头。您仍可以仅用麦克风加入。",
  "preview.denied":
    "浏览器阻止了摄像头和麦克风。请点击网址旁的摄像头或锁形图标，允许使用摄像头和麦克风，然后选择“重试”。",
  "preview.notFound": "未找到摄像头或麦克风。请连接设备后选择“重试”。",
  "preview.inUse": "摄像头或麦克风正被其他程序占用。请关闭该程序，然后选择“重试”。",
  "preview.insecure": "此浏览器只允许在安全（https）页面上使用摄像头和麦克风。请联系书记员。",
  "preview.failed": "无法启动摄像头和麦克风。请选择“重试”。",
  "preview.canStillJoin": "不使用这些设备您也可以加入庭审。",
  "preview.retry": "重试",
  "preview.observer": "作为旁听人员，其他人不会看到或听到您，因此无需摄像头和麦克风。",

  "join.heading": "加入",
  "join.button": "加入庭审",
  "join.joining": "正在加入…",
  "join.leave": "离开庭审",
  "join.leaving": "正在离开…",
  "join.joined": "您已加入庭审。",
  "join.left": "您已离开庭审。",
  "join.timeout": "服务器没有响应，请重试。",
  "join.ended": "您的会话已结束。",

  "connection.label": "连接",
  "connection.connecting": "正在连接…",
  "connection.connected": "已连接",
  "connection.reconnecting": "连接已断开 – 正在重新连接…",
  "connection.disconnected": "已断开连接",
  "connection.refused": "庭审服务器拒绝了连接。",

  "roster.heading": "参加人员",
  "grid.heading": "庭审画面",
  "media.publishFailed": "无法将您的摄像头和麦克风发送到庭审。",
  "roster.empty": "暂时没有其他人连接。",
  "roster.you": "（您）",
  "presence.admitted": "已在庭审中",
  "presence.lobby": "在等候室等候",
  "join.lobby": "您在等候室中。法庭将很快让您进入庭审。",
  "presence.connected": "正在检查设备",
};

const tables = { en, zh };

/** The page language: Simplified Chinese for a browser set to any `zh*`, English otherwise. */
export function pickLocale(language = navigator.language) {
  return (language ?? "en").toLowerCase().startsWith("zh") ? "zh" : "en";
}

export const locale = pickLocale();
const table = tables[locale];

/** The string for `key` in the page language (English if it has no translation). */
export function t(key) {
  return table[key] ?? en[key] ?? key;
}

function labelOr(prefix, value) {
  const key = `${prefix}.${value}`;
  return key in en ? t(key) : String(value);
}

export const roleLabel = (role) => labelOr("role", role);
export const stateLabel = (state) => labelOr("state", state);
export const presenceLabel = (presence) => labelOr("presence", presence);
export const kindLabel = (kind) => labelOr("kind", kind);

/** Fill every `[data-i18n]` element under `root` with its string. */
export function translatePage(root = document) {
  document.documentElement.lang = locale === "zh" ? "zh-Hans" : "en";
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  }
}
