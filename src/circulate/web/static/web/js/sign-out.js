import { signOut } from "./layout.js";
import { $ } from "./ui.js";

await signOut();
const target = $("#sign-out-outcome");
target.textContent = "You are signed out: the refresh token was revoked and the tokens were removed from this browser.";
target.className = "outcome ok";
