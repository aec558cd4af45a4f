//! The basemap a map library draws: a MapLibre style (spec v8) with one raster source, its
//! 256-pixel PNG tiles, drawn here (a coarse world of land and water, a graticule, and the tile's
//! edges), and a sprite with one icon for the gazetteer's places, so a real map renders against
//! the emulator with no data files.
//!
//! The real basemap styles service answers vector styles whose sources live on
//! `basemaps-api.arcgis.com`; the emulator serves its tiles and sprite under the style service's
//! own path (`…/styles/v2/tiles/{z}/{y}/{x}.png`, `…/styles/v2/sprites/arcgis[@2x].json|png`), so
//! the same key, referrer and privilege checks guard them all.

use serde_json::{json, Value};

/// Where the tiles live, below the emulator's origin.
pub const TILE_PATH: &str = "/arcgis/rest/services/styles/v2/tiles/";
/// Where the sprite lives (`arcgis.json`, `arcgis.png` and their `@2x` forms).
pub const SPRITE_PATH: &str = "/arcgis/rest/services/styles/v2/sprites/";

/// The style for `name` (the last path segment, e.g. `arcgis/streets` → `streets`), with tile and
/// sprite URLs on `origin`, and `places` (`(name, lon, lat)`) as icons.
pub fn style(name: &str, origin: &str, places: &[(&str, f64, f64)]) -> Value {
    let features: Vec<Value> = places
        .iter()
        .map(|(n, lon, lat)| json!({ "type": "Feature", "properties": { "name": n }, "geometry": { "type": "Point", "coordinates": [lon, lat] } }))
        .collect();
    json!({
        "version": 8,
        "name": format!("arcgis/{name}"),
        "metadata": { "emulated": true },
        "sprite": format!("{origin}{SPRITE_PATH}arcgis"),
        "sources": {
            "esri": {
                "type": "raster",
                "tiles": [format!("{origin}{TILE_PATH}{{z}}/{{y}}/{{x}}.png")],
                "tileSize": 256,
                "maxzoom": 19,
                "attribution": "portal-emulator",
            },
            "places": { "type": "geojson", "data": { "type": "FeatureCollection", "features": features } },
        },
        "layers": [
            { "id": "background", "type": "background", "paint": { "background-color": "#e8e4d8" } },
            { "id": "tiles", "type": "raster", "source": "esri" },
            { "id": "places", "type": "symbol", "source": "places", "layout": { "icon-image": "place", "icon-allow-overlap": true } },
        ],
    })
}

/// The sprite's index (`arcgis.json`) or image (`arcgis.png`), at 1× or `@2x`: one icon, `place`.
pub enum SpriteFile {
    Index(Value),
    Image(Vec<u8>),
}

/// The sprite file at the rest of a sprite path, if there is one.
pub fn sprite(rest: &str) -> Option<SpriteFile> {
    let (base, ext) = rest.rsplit_once('.')?;
    let ratio: usize = match base {
        "arcgis" => 1,
        "arcgis@2x" => 2,
        _ => return None,
    };
    let side = 12 * ratio;
    match ext {
        "json" => Some(SpriteFile::Index(json!({
            "place": { "x": 0, "y": 0, "width": side, "height": side, "pixelRatio": ratio }
        }))),
        "png" => {
            // A dot: the edge colour, a light ring, transparent around.
            let r = side as f64 / 2.0;
            let mut raw = Vec::with_capacity(side * (side + 1));
            for row in 0..side {
                raw.push(0);
                for col in 0..side {
                    let d =
                        ((row as f64 + 0.5 - r).powi(2) + (col as f64 + 0.5 - r).powi(2)).sqrt();
                    raw.push(if d < r * 0.6 {
                        1
                    } else if d < r {
                        2
                    } else {
                        0
                    });
                }
            }
            let palette = [0, 0, 0, 0xc2, 0x3b, 0x22, 0xff, 0xff, 0xff];
            Some(SpriteFile::Image(encode(
                side,
                &palette,
                Some(&[0, 255, 255]),
                &raw,
            )))
        }
        _ => None,
    }
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
    encode(SIZE, &palette, None, &raw)
}

/// A square 8-bit palette PNG of `side` pixels from its filtered rows (`raw`: a filter byte, then
/// one palette index per pixel, for each row), with the palette's alpha (`trns`) if given.
fn encode(side: usize, palette: &[u8], trns: Option<&[u8]>, raw: &[u8]) -> Vec<u8> {
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(side as u32).to_be_bytes());
    ihdr.extend_from_slice(&(side as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 3, 0, 0, 0]); // depth 8, palette, deflate, adaptive, no interlace
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"PLTE", palette);
    if let Some(alpha) = trns {
        chunk(&mut out, b"tRNS", alpha);
    }
    chunk(&mut out, b"IDAT", &zlib_stored(raw));
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
