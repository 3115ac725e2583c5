// What each role may ask for, so the page offers only the controls that can work.
// The server checks every request against its own table (hearing/permissions.py);
// this copy decides what to show, never what is allowed.

const PRESIDING_ROLES = new Set(["judge", "mediator"]);
const OFFICER_ROLES = new Set(["judge", "mediator", "clerk"]);

const CLERK_CONTROLS = new Set([
  "verify_identity",
  "admit",
  "deny",
  "return_to_lobby",
  "mute",
  "request_unmute",
  "lower_others_hand",
]);

// Roles whose camera and microphone go to the hearing once they are admitted;
// a witness only once called, an observer never.
const PUBLISHING_ROLES = new Set(["judge", "mediator", "clerk", "party", "counsel", "interpreter"]);
const HAND_ROLES = new Set(["party", "counsel", "interpreter", "witness"]);
// Roles asked to confirm the transcript after the hearing: everyone whose words or case
// are in it, not the clerk who keeps it, nor observers.
const CONFIRMING_ROLES = new Set(["judge", "mediator", "party", "counsel", "interpreter", "witness"]);

/** Whether `role` runs the hearing (judge, mediator). */
export const presides = (role) => PRESIDING_ROLES.has(role);

/** Whether `role` is one of the court's officers (judge, mediator, clerk): no lobby, a console. */
export const isOfficer = (role) => OFFICER_ROLES.has(role);

/**
 * Whether `role` may use `control` (a `control` event action, a lifecycle action,
 * or "lower_others_hand").
 */
export function may(role, control) {
  if (PRESIDING_ROLES.has(role)) {
    return true;
  }
  if (role === "clerk") {
    return CLERK_CONTROLS.has(control);
  }
  return control === "raise_hand" || control === "lower_hand" ? HAND_ROLES.has(role) : false;
}

/** Whether a participant of `role` sends camera and microphone (`called`: a witness called in). */
export function publishes(role, called = false) {
  return PUBLISHING_ROLES.has(role) || (role === "witness" && called);
}

/** Whether `role` may raise a hand to ask to speak. */
export const raisesHand = (role) => HAND_ROLES.has(role);

/** Whether `role` is asked to confirm the transcript once the hearing is adjourned. */
export const confirmsTranscript = (role) => CONFIRMING_ROLES.has(role);

// The lifecycle: what the presiding officer can do next from each state.
const NEXT_ACTIONS = {
  scheduled: ["open"],
  open: ["start", "adjourn"],
  in_session: ["recess", "adjourn"],
  recess: ["resume", "adjourn"],
};

/** Lifecycle actions possible from `state`, in the order they are offered. */
export function nextLifecycleActions(state) {
  return NEXT_ACTIONS[state] ?? [];
}
