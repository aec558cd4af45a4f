//! `portal-emulator`: a local ArcGIS portal for demos and tests. See `--help`.

use portal_emulator::{config::Config, serve};

#[tokio::main]
async fn main() {
    let config = match Config::from_args(std::env::args().skip(1)) {
        Ok(Some(c)) => c,
        Ok(None) => {
            print!("{}", portal_emulator::config::HELP);
            return;
        }
        Err(e) => {
            eprintln!("portal-emulator: {e}\n\n{}", portal_emulator::config::HELP);
            std::process::exit(2);
        }
    };
    if let Err(e) = serve(config).await {
        eprintln!("portal-emulator: {e}");
        std::process::exit(1);
    }
}
