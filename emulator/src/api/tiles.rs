//! The basemap a map library draws: a MapLibre style (spec v8) with one raster source, and its
//! 256-pixel PNG tiles, drawn here (a coarse world of land and water, a graticule, and the tile's
//! edges), so a real map renders against the emulator with no data files.
//!
//! The real basemap styles service answers vector styles whose sources live on
//! `basemaps-api.arcgis.com`; the emulator serves its tiles under the style service's own path
//! (`…/styles/v2/tiles/{z}/{y}/{x}.png`), so the same key, referrer and privilege checks guard both.

use serde_json::{json, Value};

/// Where the tiles live, below the emulator's origin.
pub const TILE_PATH: &str = "/arcgis/rest/services/styles/v2/tiles/";

/// The style for `name` (the last path segment, e.g. `arcgis/streets` → `streets`), with tile
/// URLs on `origin`.
pub fn style(name: &str, origin: &str) -> Value {
    json!({
        "version": 8,
        "name": format!("arcgis/{name}"),
        "metadata": { "emulated": true },
        "sources": {
            "esri": {
                "type": "raster",
                "tiles": [format!("{origin}{TILE_PATH}{{z}}/{{y}}/{{x}}.png")],
                "tileSize": 256,
                "maxzoom": 19,
                "attribution": "portal-emulator",
            }
        },
        "layers": [
            { "id": "background", "type": "background", "paint": { "background-color": "#e8e4d8" } },
            { "id": "tiles", "type": "raster", "source": "esri" },
        ],
    })
}

/// `(z, y, x)` from the rest of a tile path (`3/2/5.png`), within the zoom's range.
pub fn tile_address(rest: &str) -> Option<(u32, u32, u32)> {
    let mut parts = rest.strip_suffix(".png").unwrap_or(rest).split('/');
    let z: u32 = parts.next()?.parse().ok()?;
    let y: u32 = parts.next()?.parse().ok()?;
    let x: u32 = parts.next()?.parse().ok()?;
    let n = 1u64 << z.min(30);
    (parts.next().is_none() && z <= 22 && u64::from(x) < n && u64::from(y) < n).then_some((z, y, x))
}

const SIZE: usize = 256;

/// The PNG of tile `(z, y, x)`: an 8-bit palette image of land and water (the coarse world of
/// `land.rs`, in Web Mercator), a graticule every 32 pixels, and a darker edge.
pub fn png(z: u32, y: u32, x: u32) -> Vec<u8> {
    let palette: [u8; 15] = [
        0xe8, 0xe4, 0xd8, // land
        0xb5, 0xd0, 0xe0, // water
        0xc8, 0xc8, 0xc8, // graticule
        0x6a, 0x7f, 0x99, // edge
        0x9d, 0xbc, 0xd0, // graticule over water
    ];
    let world = f64::from(1u32 << z.min(30)) * SIZE as f64;
    let mut raw = Vec::with_capacity(SIZE * (SIZE + 1));
    for row in 0..SIZE {
        raw.push(0); // filter: none
        let my = (f64::from(y) * SIZE as f64 + row as f64 + 0.5) / world;
        let lat = (std::f64::consts::PI * (1.0 - 2.0 * my))
            .sinh()
            .atan()
            .to_degrees();
        for col in 0..SIZE {
            let lon = (f64::from(x) * SIZE as f64 + col as f64 + 0.5) / world * 360.0 - 180.0;
            let land = super::land::is_land(lon, lat);
            let edge = row == 0 || col == 0 || row == SIZE - 1 || col == SIZE - 1;
            raw.push(if edge {
                3
            } else if row % 32 == 0 || col % 32 == 0 {
                if land {
                    2
                } else {
                    4
                }
            } else if land {
                0
            } else {
                1
            });
        }
    }
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(SIZE as u32).to_be_bytes());
    ihdr.extend_from_slice(&(SIZE as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 3, 0, 0, 0]); // depth 8, palette, deflate, adaptive, no interlace
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"PLTE", &palette);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored (uncompressed) deflate blocks: valid, and all a tile needs.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_addresses_within_the_zoom() {
        assert_eq!(tile_address("3/2/5.png"), Some((3, 2, 5)));
        assert_eq!(tile_address("0/0/0"), Some((0, 0, 0)));
        assert_eq!(tile_address("2/4/0.png"), None);
        assert_eq!(tile_address("1/0/0/9.png"), None);
        assert_eq!(tile_address("x/0/0.png"), None);
        assert_eq!(tile_address("40/0/0.png"), None);
    }

    #[test]
    fn crc_matches_the_png_spec_check_value() {
        // The CRC-32 check value of "123456789" (ISO-HDLC, as PNG uses).
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }
}
