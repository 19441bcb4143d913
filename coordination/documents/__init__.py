"""Documents: every PDF of the app is built by render.render_pdf() from a print template in templates/pdf/."""
