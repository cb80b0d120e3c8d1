/** @jsxImportSource hono/jsx */
// The console's page: served without the token, so it holds no data — only the login form,
// the navigation, an empty view that the script fills, and the inline style and script.
import { raw } from "hono/html";

export function ConsolePage(props: { css: string; script: string; version: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>kgate console</title>
        {/* No favicon request: it would meet the admin API's 401. */}
        <link rel="icon" href="data:," />
        <style>{raw(props.css)}</style>
      </head>
      <body>
        <a class="skip" href="#view">Skip to content</a>
        <div id="announce" class="sr-only" role="status" aria-live="polite"></div>
        <section id="login" class="login card" aria-labelledby="login-title">
          <h1 id="login-title">kgate console</h1>
          <p>
            Log in with the admin token (<code>admin.token</code>,{" "}
            <code>KGATE_ADMIN_TOKEN</code>, or the file kgate generated next to its store). It stays in this browser tab only.
          </p>
          <form data-action="login" autocomplete="off">
            <div class="field">
              <label for="login-token">Admin token</label>
              <input id="login-token" name="token" type="password" required autocomplete="off" spellcheck={false} />
            </div>
            <p id="login-error" class="alert" data-error role="alert"></p>
            <button type="submit">Log in</button>
          </form>
          <noscript>
            <p class="alert">The console needs JavaScript.</p>
          </noscript>
        </section>
        <div id="app" hidden>
          <header>
            <span class="brand">kgate</span>
            <nav aria-label="Main">
              <a href="#/" data-nav="vclusters">Virtual clusters</a>
              <a href="#/health" data-nav="health">Gateway health</a>
            </nav>
            <button type="button" data-action="logout">Log out</button>
          </header>
          <main id="view" tabindex={-1}></main>
          <p id="view-error" class="alert" role="alert"></p>
          <footer class="hint footer">kgate {props.version}</footer>
        </div>
        <script>{raw(props.script)}</script>
      </body>
    </html>
  );
}
