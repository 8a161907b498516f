/**
 * Image references as Docker spells them (`[host[:port]/]path[:tag][@sha256:…]`): the console
 * checks them when a template is saved, the runner again before anything reaches skopeo's argv
 * (only the grammar's characters, never a leading dash).
 */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?/)';
export const IMAGE_REFERENCE_RE = new RegExp(`^${HOST}?${COMPONENT}(?:/${COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);
export const IMAGE_REFERENCE_HINT = 'an image reference such as docker.io/library/python:3.12-slim or 127.0.0.1:5000/team/tool:1';
